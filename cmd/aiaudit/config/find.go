package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// EnvVar names the environment variable consulted after --config.
const EnvVar = "AIAUDIT_CONFIG"

// SearchPath finds the config file in the order given in the package
// documentation. getenv is a parameter so tests need not touch the real
// environment; nil means os.Getenv.
func SearchPath(explicit string, getenv func(string) string) (path string, found bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if explicit != "" {
		if err := mustExist(explicit); err != nil {
			return "", false, fmt.Errorf("--config: %w", err)
		}
		return explicit, true, nil
	}
	if p := getenv(EnvVar); p != "" {
		if err := mustExist(p); err != nil {
			return "", false, fmt.Errorf("$%s: %w", EnvVar, err)
		}
		return p, true, nil
	}
	candidates := []string{"aiaudit.yaml"}
	if xdg := getenv("XDG_CONFIG_HOME"); xdg != "" {
		candidates = append(candidates, filepath.Join(xdg, "aiaudit", "config.yaml"))
	} else if home := getenv("HOME"); home != "" {
		candidates = append(candidates, filepath.Join(home, ".config", "aiaudit", "config.yaml"))
	}
	candidates = append(candidates, "/etc/aiaudit/config.yaml")
	for _, c := range candidates {
		// Any stat failure means "not here": an unreadable $HOME in a sandbox
		// must not stop a run that never asked for a config file.
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c, true, nil
		}
	}
	return "", false, nil
}

func mustExist(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", p)
	}
	return nil
}
