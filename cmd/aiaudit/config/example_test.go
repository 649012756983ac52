package config_test

import (
	"fmt"

	"github.com/aiaudit/aiaudit/cmd/aiaudit/config"
	"github.com/spf13/pflag"
)

func ExampleFile_Check() {
	crawl := config.Command{Path: "crawl", Section: "crawl", New: func() (*pflag.FlagSet, func() error) {
		fs := pflag.NewFlagSet("crawl", pflag.ContinueOnError)
		maxPages := fs.Int("max-pages", 1000, "")
		fs.Duration("delay", 0, "")
		validate := func() error {
			if *maxPages < 1 {
				return flagError{"max-pages", fmt.Errorf("--max-pages must be at least 1 (got %d)", *maxPages)}
			}
			return nil
		}
		return fs, validate
	}}
	urls := config.Command{Path: "urls", Section: "urls", New: func() (*pflag.FlagSet, func() error) {
		return pflag.NewFlagSet("urls", pflag.ContinueOnError), nil
	}}
	f, err := config.Parse("aiaudit.yaml", []byte("max-page: 10\ncrawl:\n  delay: soon\n  max-pages: 0\n"), []string{"crawl", "urls"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, err := range f.Check([]config.Command{crawl, urls}) {
		fmt.Println(err)
	}
	// Output:
	// aiaudit.yaml:1: unknown key "max-page" (did you mean "max-pages"?)
	// aiaudit.yaml:3: key "delay": invalid argument "soon" for "--delay" flag: time: invalid duration "soon"
	// aiaudit.yaml:4: key "max-pages": --max-pages must be at least 1 (got 0)
}

// flagError is a validation error that names its flag (config.Flagged).
type flagError struct {
	flag string
	err  error
}

func (e flagError) Error() string   { return e.err.Error() }
func (e flagError) Flags() []string { return []string{e.flag} }

func ExampleParse_syntaxError() {
	_, err := config.Parse("aiaudit.yaml", []byte("jurisdiction: kz\nagent: [GPTBot\n"), nil)
	fmt.Println(err)
	// Output:
	// aiaudit.yaml:2: sequence end token ']' not found
}
