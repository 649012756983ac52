package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/detectors/labels"
	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/scanner/crawl"
	"github.com/aiaudit/aiaudit/scanner/render"
)

func newCrawlCommand(e *env, stdout io.Writer) *cobra.Command {
	var of outputFlags
	var sf scheduleFlags
	var vf vetFlags
	var opt crawl.Options
	var include, exclude []string
	var declared, phrases, assetsPath string
	var ef exposureFlags
	var calc *audit.Exposure
	var rendered bool
	var browser render.Options
	var tf trustFlags
	c := &cobra.Command{
		Use:   "crawl URL...",
		Short: "Audit a website for unlabelled AI-made content and its training opt-outs",
		Long: `Crawls the sites of the start URLs (robots.txt obeyed for aiaudit's own user
agent, scope never left), fetches every image, video, audio and PDF the pages
reference once, and reports AI-made items published without a visible label
(KZ Administrative Code Art. 456.2; EU AI Act Art. 50 with --jurisdiction kz,eu),
machine-readable marking, and every page's and item's training opt-out.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or runtime error,
3 some items could not be read, 4 another run of the same target is in
progress, 130 interrupted (partial report marked incomplete).`,
		PreRunE: func(c *cobra.Command, args []string) error {
			var p problems
			p.add(of.validate()...)
			p.add(sf.validate(of.failOn), tf.load())
			vo, err := vf.options(false)
			p.add(err)
			calc, err = ef.resolve()
			p.add(err)
			p.add(atLeast("max-pages", opt.MaxPages, 1), atLeast("depth", opt.MaxDepth, 1), atLeast("concurrency", opt.Concurrency, 1))
			if !rendered && c.Flags().Changed("render-budget") {
				p.add(flagErrorf("render", "--render-budget needs --render"))
			}
			if !rendered && of.format != "pdf" && c.Flags().Changed("browser") {
				p.add(flagErrorf("render", "--browser needs --render or --format pdf"))
			}
			opt.Include, opt.Exclude = nil, nil
			for _, pat := range include {
				re, err := regexp.Compile(pat)
				if err != nil {
					p.add(&audit.FlagError{Flag: "include", Val: pat, Err: fmt.Errorf("--include %q: %w", pat, err)})
				}
				opt.Include = append(opt.Include, re)
			}
			for _, pat := range exclude {
				re, err := regexp.Compile(pat)
				if err != nil {
					p.add(&audit.FlagError{Flag: "exclude", Val: pat, Err: fmt.Errorf("--exclude %q: %w", pat, err)})
				}
				opt.Exclude = append(opt.Exclude, re)
			}
			if declared != "" {
				p.add(readDeclared(declared, &opt))
			}
			var extra []labels.Phrase
			if phrases != "" {
				ps, err := labelPhrases(phrases)
				p.add(err)
				extra = ps
			}
			for _, ph := range e.cfg.Phrases() {
				extra = append(extra, labels.Phrase{Lang: ph.Lang, Pattern: ph.Pattern})
			}
			opt.Labels = nil
			if len(extra) > 0 && len(p) == 0 {
				if opt.Labels, err = labels.Default().Extend(extra); err != nil {
					p.add(flagErrorf("label-phrases", "label phrases: %v", err))
				}
			}
			opt.Vet = vo
			opt.Delay = vf.delay
			if vf.userAgent == "" {
				opt.UserAgent = vo.Fetch.UserAgent
			} else {
				opt.UserAgent = vf.userAgent
			}
			return p.err()
		},
		RunE: func(c *cobra.Command, args []string) error {
			args, err := e.targets(c, args)
			if err != nil {
				return err
			}
			ro := e.runOptions(c, "crawl", args, of, sf, stdout)
			ro.Exposure = calc
			ro.Output.Browser = browser.Browser // also prints -f pdf
			ro.Assets = assetsPath
			bar := newProgress(of.progress, "items", e.log, e.log.Say())
			ro.Progress = bar.update
			var rb *render.Options
			if rendered {
				rb = &browser
			}
			ro.Trust, ro.Online = tf.store, tf.online
			out, stats, err := audit.Crawl(c.Context(), ro, opt, rb)
			bar.finish()
			if stats != nil {
				summarizeCrawl(e.log, stats)
			}
			return e.finish(out, err)
		},
	}
	of.register(c)
	sf.register(c)
	tf.register(c)
	vf.register(c, 250*time.Millisecond)
	c.Flags().StringArrayVar(&opt.ExtraHosts, "extra-host", nil, "also crawl and fetch media from this host (repeatable), e.g. a CDN")
	c.Flags().BoolVar(&opt.Subdomains, "subdomains", false, "include subdomains of the start hosts")
	c.Flags().StringArrayVar(&include, "include", nil, "only crawl paths matching this regexp (repeatable)")
	c.Flags().StringArrayVar(&exclude, "exclude", nil, "never crawl paths matching this regexp (repeatable)")
	c.Flags().IntVar(&opt.MaxPages, "max-pages", 1000, "stop after this many pages")
	c.Flags().IntVar(&opt.MaxDepth, "depth", 10, "link depth from the start pages")
	c.Flags().IntVar(&opt.Concurrency, "concurrency", 4, "pages fetched (and with --render, browser tabs) at once")
	c.Flags().BoolVar(&rendered, "render", false, "load every page in headless Chromium (Debian's chromium package): script-built content and links, lazy images, stylesheet backgrounds, and only labels a visitor can see count")
	c.Flags().StringVar(&browser.Browser, "browser", "", "the Chromium binary for --render and --format pdf (default: chromium on PATH)")
	c.Flags().DurationVar(&browser.Budget, "render-budget", 20*time.Second, "with --render, the time a page may take to load and settle, scrolling included")
	ef.register(c)
	c.Flags().StringVar(&phrases, "label-phrases", "", `extra visible-label phrases: a JSON file, or the JSON itself (a value starting with [ or {), holding a list of {"lang": "fr", "pattern": "généré par (l')?IA"}`)
	registerAssets(c, &assetsPath)
	c.Flags().StringVar(&declared, "declared", "", "CSV of content known to be AI-made: url[,css selector] per row (from a CMS export)")
	return c
}

// summarizeCrawl says what the crawl reached and what it left out: the
// address spaces it was let into, the pages and items, robots.txt's
// refusals, and pages that need --render.
func summarizeCrawl(log *logSink, stats *crawl.Stats) {
	say := log.Say()
	if len(stats.AllowedSpaces) > 0 {
		spaces := make([]string, len(stats.AllowedSpaces))
		for i, s := range stats.AllowedSpaces {
			spaces[i] = say.T(s)
		}
		audit.Summarize(log, say.T("note: fetches may reach %s addresses in this run, because the start hosts are there", strings.Join(spaces, ", ")))
	}
	line := say.T("crawled %d pages", stats.Pages) + ", " + say.T("%d media items", stats.Media) + "; " +
		say.T("%d URLs skipped because robots.txt forbids them to aiaudit", stats.SkippedByRobots)
	if stats.Unreachable > 0 {
		line += "; " + say.T("%d not crawled because robots.txt could not be fetched", stats.Unreachable)
	}
	audit.Summarize(log, line, slog.Int("pages", stats.Pages), slog.Int("media_items", stats.Media),
		slog.Int("skipped_by_robots", stats.SkippedByRobots), slog.Int("not_crawled_robots_unreachable", stats.Unreachable))
	if stats.ScriptRendered > 0 {
		audit.Summarize(log, say.T("%d pages look rendered by script (e.g. %s): %s", stats.ScriptRendered, stats.ScriptRenderedExample, say.T(crawl.RenderHint)),
			slog.Int("script_rendered_pages", stats.ScriptRendered))
	}
}

// readDeclared reads --declared, the CMS export of content known to be
// AI-made.
func readDeclared(path string, opt *crawl.Options) error {
	f, err := os.Open(path)
	if err != nil {
		return flagErrorf("declared", "--declared: %v", err)
	}
	defer f.Close()
	if opt.Declared, err = crawl.ReadDeclared(f); err != nil {
		return flagErrorf("declared", "--declared: %s: %v", path, err)
	}
	return nil
}

// registerAssets adds --assets, the team's asset library, to a command.
func registerAssets(c *cobra.Command, path *string) {
	c.Flags().StringVar(path, "assets", "", "asset library (a folder, or a saved 'aiaudit files' JSON report of one): images that are copies of its images (resized, recompressed, stripped) inherit their AI evidence and opt-outs, matched by perceptual hash")
}
