package dphwebhooks

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type vectorFile struct {
	Tolerance int `json:"tolerance_seconds"`
	Cases     []struct {
		Name     string            `json:"name"`
		Scheme   string            `json:"scheme"`
		Secrets  []string          `json:"secrets"`
		Headers  map[string]string `json:"headers"`
		Body     string            `json:"body"`
		Now      int64             `json:"now"`
		Expected struct {
			Valid  bool   `json:"valid"`
			ID     string `json:"id"`
			Reason string `json:"reason"`
		} `json:"expected"`
	} `json:"cases"`
}

func TestSharedVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "libs", "webhooks", "test-vectors", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) < 30 {
		t.Fatalf("expected at least 30 vectors, got %d", len(v.Cases))
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			h := http.Header{}
			for k, val := range c.Headers {
				h.Set(k, val)
			}
			got, err := Verify(h, []byte(c.Body), c.Secrets, Options{
				Now: time.Unix(c.Now, 0), Tolerance: time.Duration(v.Tolerance) * time.Second, Scheme: c.Scheme,
			})
			if c.Expected.Valid {
				if err != nil {
					t.Fatalf("expected valid, got %v", err)
				}
				if got.ID != c.Expected.ID {
					t.Fatalf("id %q, want %q", got.ID, c.Expected.ID)
				}
				return
			}
			var ve *VerificationError
			if !errors.As(err, &ve) {
				t.Fatalf("expected a VerificationError, got %v", err)
			}
			if ve.Reason != c.Expected.Reason {
				t.Fatalf("reason %q, want %q", ve.Reason, c.Expected.Reason)
			}
		})
	}
}
