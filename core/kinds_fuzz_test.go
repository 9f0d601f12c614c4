package core

import (
	"regexp"
	"strings"
	"testing"
)

// opaqueFormRE is the form check written as a regular expression, the
// oracle of FuzzOpaqueForm.
var opaqueFormRE = regexp.MustCompile(`^(?:ak_|mt_|oat_)[A-Za-z0-9_-]{16,256}$`)

// FuzzOpaqueForm: the opaque-token form check never panics, agrees with
// its regular expression, and recognises a kind exactly for the tokens of
// that form.
func FuzzOpaqueForm(f *testing.F) {
	for _, s := range []string{
		"ak_3beecc9c60adb5f9b850e91a8ee1e992", "mt_f7f0ba8c3b4843ce7d85fcdd5e71853e", "oat_0ef5a7a33d87ed87ee7954c845d80450",
		"ak_has space0123456789", "ak_\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", "mt_ééééééééééééééééé",
		"ak_" + strings.Repeat("a", 257), "ak_", "oat_", "mt_", "", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "sk_live_x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := opaqueForm(s)
		if want := opaqueFormRE.MatchString(s); ok != want {
			t.Fatalf("opaqueForm(%q) = %v, the regexp says %v", s, ok, want)
		}
		if kind := opaqueKind(s); (kind != "") != ok {
			t.Fatalf("opaqueKind(%q) = %q, form %v", s, kind, ok)
		}
	})
}
