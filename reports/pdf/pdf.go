// Package pdf prints the HTML report to PDF in headless Chromium (Debian's
// chromium package), driven over the DevTools protocol by chromedp: A4,
// page numbers in the footer, backgrounds printed. The browser is started
// for the print and stopped with it.
package pdf

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// timeout bounds one print: a report is local, self-contained HTML.
const timeout = 2 * time.Minute

// margin leaves room for the footer, in inches.
const margin = 0.5

// footer numbers the pages ("3 / 7"); Chromium fills the spans.
const footer = `<div style="font:9px sans-serif;width:100%;text-align:center;color:#57606a"><span class="pageNumber"></span> / <span class="totalPages"></span></div>`

// Print renders html (a self-contained page) to PDF with the browser at
// browserPath.
func Print(ctx context.Context, browserPath string, html []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "aiaudit-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.NoSandbox, // root in containers and CI; the page is our own file
		chromedp.Flag("disable-background-networking", true),
		// A loaded machine (CI running tests in parallel) can take longer
		// than chromedp's 20 s to start a browser.
		chromedp.WSURLReadTimeout(time.Minute),
	)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+file), chromedp.WaitReady("body")); err != nil {
		return nil, fmt.Errorf("opening the report in %s: %w", browserPath, err)
	}
	out, err := chromedp.Run(tab, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFMargin(margin),
		chromedp.PDFPrintBackground(),
		chromedp.PDFHeaderTemplate("<span></span>"),
		chromedp.PDFFooterTemplate(footer),
	))
	if err != nil {
		return nil, fmt.Errorf("printing the report to PDF with %s: %w", browserPath, err)
	}
	return out, nil
}
