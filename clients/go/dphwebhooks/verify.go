// Package dphwebhooks verifies doc-preprocess-hub webhook deliveries using only the standard library.
//
// Two schemes are sent on every request; check either:
//   - Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature ("v1,<base64>", space-separated)
//     over id + "." + timestamp + "." + body.
//   - X-DPH-Signature: "sha256=<hex>" (space-separated) over timestamp + "." + body, with X-DPH-Timestamp and
//     X-DPH-Event-Id.
//
// The HMAC key is the base64-decoded part of the whsec_ secret. Pass the raw request body.
package dphwebhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is the accepted clock difference, both ways.
const DefaultTolerance = 5 * time.Minute

// Error reasons, identical across the TypeScript, Python and Go verifiers.
const (
	ReasonMissingHeaders   = "missing_headers"
	ReasonInvalidTimestamp = "invalid_timestamp"
	ReasonTooOld           = "timestamp_too_old"
	ReasonTooNew           = "timestamp_too_new"
	ReasonInvalidSignature = "invalid_signature"
)

// VerificationError says why a delivery must be rejected.
type VerificationError struct{ Reason string }

func (e *VerificationError) Error() string { return "webhook verification failed: " + e.Reason }

// Verified is what a successful verification returns.
type Verified struct {
	Scheme    string
	ID        string
	Timestamp int64
}

// Options tune a verification; the zero value means "now" and DefaultTolerance.
type Options struct {
	Now       time.Time
	Tolerance time.Duration
	// Scheme is "standard", "dph" or "" (Standard Webhooks when its signature header is present).
	Scheme string
}

var digits = regexp.MustCompile(`^[0-9]{1,12}$`)

func key(secret string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
}

func checkTimestamp(raw string, o Options) (int64, error) {
	if !digits.MatchString(raw) {
		return 0, &VerificationError{ReasonInvalidTimestamp}
	}
	ts, _ := strconv.ParseInt(raw, 10, 64)
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	tol := int64(o.Tolerance / time.Second)
	if o.Tolerance == 0 {
		tol = int64(DefaultTolerance / time.Second)
	}
	if now.Unix()-ts > tol {
		return 0, &VerificationError{ReasonTooOld}
	}
	if ts-now.Unix() > tol {
		return 0, &VerificationError{ReasonTooNew}
	}
	return ts, nil
}

func mac(k []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, k)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// Verify checks a delivery's headers and raw body against the receiver's secrets (several while one rotates).
func Verify(h http.Header, body []byte, secrets []string, o Options) (*Verified, error) {
	scheme := o.Scheme
	if scheme == "" {
		if h.Get("webhook-signature") != "" {
			scheme = "standard"
		} else {
			scheme = "dph"
		}
	}
	if scheme == "standard" {
		id, tsRaw, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
		if id == "" || tsRaw == "" || sigs == "" {
			return nil, &VerificationError{ReasonMissingHeaders}
		}
		ts, err := checkTimestamp(tsRaw, o)
		if err != nil {
			return nil, err
		}
		prefix := []byte(id + "." + strconv.FormatInt(ts, 10) + ".")
		for _, s := range secrets {
			k, err := key(s)
			if err != nil {
				continue
			}
			expected := base64.StdEncoding.EncodeToString(mac(k, prefix, body))
			for _, g := range strings.Fields(sigs) {
				if strings.HasPrefix(g, "v1,") && hmac.Equal([]byte(g[3:]), []byte(expected)) {
					return &Verified{"standard", id, ts}, nil
				}
			}
		}
		return nil, &VerificationError{ReasonInvalidSignature}
	}
	id, tsRaw, sigs := h.Get("x-dph-event-id"), h.Get("x-dph-timestamp"), h.Get("x-dph-signature")
	if id == "" || tsRaw == "" || sigs == "" {
		return nil, &VerificationError{ReasonMissingHeaders}
	}
	ts, err := checkTimestamp(tsRaw, o)
	if err != nil {
		return nil, err
	}
	prefix := []byte(strconv.FormatInt(ts, 10) + ".")
	fields := strings.FieldsFunc(sigs, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	for _, s := range secrets {
		k, err := key(s)
		if err != nil {
			continue
		}
		expected := hex.EncodeToString(mac(k, prefix, body))
		for _, g := range fields {
			if strings.HasPrefix(g, "sha256=") && hmac.Equal([]byte(strings.ToLower(g[7:])), []byte(expected)) {
				return &Verified{"dph", id, ts}, nil
			}
		}
	}
	return nil, &VerificationError{ReasonInvalidSignature}
}
