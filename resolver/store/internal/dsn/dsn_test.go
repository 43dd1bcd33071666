package dsn

import (
	"errors"
	"fmt"
	"testing"
)

func TestOneLine(t *testing.T) {
	base := errors.New("dial error")
	err := fmt.Errorf("failed to connect to `user=u database=x`:\n\t127.0.0.1:1 (127.0.0.1): %w\n\t[::1]:1 (::1): dial error\n", base)
	got := OneLine(err)
	if want := "failed to connect to `user=u database=x`; 127.0.0.1:1 (127.0.0.1): dial error; [::1]:1 (::1): dial error"; got.Error() != want {
		t.Errorf("OneLine:\n got %q\nwant %q", got, want)
	}
	if !errors.Is(got, base) {
		t.Error("OneLine hides the wrapped error from errors.Is")
	}
	if one := errors.New("one line"); OneLine(one) != one || OneLine(nil) != nil {
		t.Error("OneLine changes a single-line or nil error")
	}
}
