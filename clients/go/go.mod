module github.com/doc-preprocess-hub/clients/go

go 1.21
