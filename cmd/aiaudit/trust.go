package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
)

// trustFlags add C2PA trust anchors and pinned signers to the shipped
// trust lists, and allow online revocation lookups.
type trustFlags struct {
	anchors, allowed string
	online           bool
	store            *trust.Store
}

func (t *trustFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&t.anchors, "trust-anchors", "", "PEM file of extra C2PA trust anchors (your own or a test CA); signers chaining to them count as trusted")
	c.Flags().StringVar(&t.allowed, "allowed-signers", "", "PEM file of C2PA signing certificates trusted as they are, whoever issued them")
	c.Flags().BoolVar(&t.online, "online", false, "ask a C2PA signer's OCSP responder whether its certificate was revoked when the manifest staples no answer (network lookups; without it none is made)")
}

// load reads the files into a trust store.
func (t *trustFlags) load() error {
	t.store = trust.Default()
	for _, f := range []struct {
		flag, path string
		add        func(*trust.Store, []byte) (*trust.Store, error)
	}{{"trust-anchors", t.anchors, (*trust.Store).WithAnchors}, {"allowed-signers", t.allowed, (*trust.Store).WithAllowedSigners}} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err == nil {
			t.store, err = f.add(t.store, b)
		}
		if err != nil {
			return flagErrorf(f.flag, "--%s %s: %v", f.flag, f.path, err)
		}
	}
	return nil
}
