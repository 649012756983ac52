package config_test

import (
	"fmt"

	"github.com/aiaudit/aiaudit/cmd/aiaudit/config"
	"github.com/spf13/pflag"
)

func ExampleFile_Check() {
	newFlags := func(command string) *pflag.FlagSet {
		fs := pflag.NewFlagSet(command, pflag.ContinueOnError)
		if command == "crawl" {
			fs.Int("max-pages", 1000, "")
			fs.Duration("delay", 0, "")
		}
		return fs
	}
	f, err := config.Parse("aiaudit.yaml", []byte("max-page: 10\ncrawl:\n  delay: soon\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, err := range f.Check(newFlags, []string{"crawl", "urls"}) {
		fmt.Println(err)
	}
	// Output:
	// aiaudit.yaml:1: unknown key "max-page" (did you mean "max-pages"?)
	// aiaudit.yaml:3: key "delay": invalid argument "soon" for "--delay" flag: time: invalid duration "soon"
}

func ExampleParse_syntaxError() {
	_, err := config.Parse("aiaudit.yaml", []byte("jurisdiction: kz\nagent: [GPTBot\n"))
	fmt.Println(err)
	// Output:
	// aiaudit.yaml:2: sequence end token ']' not found
}
