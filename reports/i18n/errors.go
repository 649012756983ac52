package i18n

import (
	"fmt"
	"strings"
)

// Error is an error aiaudit composes from a catalogued format: its Error
// is the English (JSON log lines, errors.Is, tests), and Printer.Error says
// it in a language. The format takes no %w: an error argument is said by
// Printer.Error too, and Unwrap returns it.
type Error struct {
	Format string
	Args   []any
}

// Errorf makes an Error.
func Errorf(format string, args ...any) *Error { return &Error{Format: format, Args: args} }

func (e *Error) Error() string { return fmt.Sprintf(e.Format, e.Args...) }

// Unwrap returns the errors among the arguments.
func (e *Error) Unwrap() []error {
	var out []error
	for _, a := range e.Args {
		if err, ok := a.(error); ok {
			out = append(out, err)
		}
	}
	return out
}

// Error says err in the printer's language, a line per problem of a
// joined error: an Error by its format; a wrapper whose text is exactly
// its one inner error's (a usage error, a flag error) by that inner error;
// any other error (a library's, the operating system's, one wrapped with
// words of its own) as it comes.
func (p *Printer) Error(err error) string {
	switch u := err.(type) {
	case nil:
		return ""
	case *Error:
		args := make([]any, len(u.Args))
		for i, a := range u.Args {
			if ae, ok := a.(error); ok {
				a = p.Error(ae)
			}
			args[i] = a
		}
		return p.T(u.Format, args...)
	case interface{ Unwrap() []error }:
		if errs := u.Unwrap(); joined(err, errs) {
			lines := make([]string, len(errs))
			for i, one := range errs {
				lines[i] = p.Error(one)
			}
			return strings.Join(lines, "\n")
		}
	case interface{ Unwrap() error }:
		if inner := u.Unwrap(); inner != nil && inner.Error() == err.Error() {
			return p.Error(inner)
		}
	}
	return err.Error()
}

// joined says err's text is its errors' texts a line each, as errors.Join
// writes them.
func joined(err error, errs []error) bool {
	texts := make([]string, len(errs))
	for i, one := range errs {
		if one == nil {
			return false
		}
		texts[i] = one.Error()
	}
	return strings.Join(texts, "\n") == err.Error()
}
