package dotenv_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clerkgo/clerk/internal/dotenv"
)

func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestParse(t *testing.T) {
	const secret = "sk_test_Secret0123456789"
	type vars = []dotenv.Var
	tests := []struct {
		name string
		file string
		want vars
		err  string // the error's message ("" for none)
	}{
		{"plain", "K1=v1\nK2 = v2 \n", vars{{"K1", "v1"}, {"K2", "v2"}}, ""},
		{"inline comment after spaces", "K1=" + secret + "   # the test key\nK2=a#b\n", vars{{"K1", secret}, {"K2", "a#b"}}, ""},
		{"comment lines and blank lines", "# note\n\n   # indented note\nK1=v\n", vars{{"K1", "v"}}, ""},
		{"export prefix", "export K1=v1\nexport  K2=v2\n", vars{{"K1", "v1"}, {"K2", "v2"}}, ""},
		{"single quotes are literal", `K1='a $HOME \n # not a comment'` + "\n", vars{{"K1", `a $HOME \n # not a comment`}}, ""},
		{"double quotes with escapes", `K1="line1\nline2\t\"q\" \\ \$HOME"` + "\n", vars{{"K1", "line1\nline2\t\"q\" \\ $HOME"}}, ""},
		{"double-quoted PEM over several lines", "K1=\"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\"\n", vars{{"K1", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"}}, ""},
		{"comment after a quoted value", `K1="v" # note` + "\n", vars{{"K1", "v"}}, ""},
		{"UTF-8 byte order mark", "\xef\xbb\xbfK1=v\n", vars{{"K1", "v"}}, ""},
		{"CRLF line ends", "K1=v1\r\nK2=\"v2\"\r\n", vars{{"K1", "v1"}, {"K2", "v2"}}, ""},
		{"expansion from the file and the lookup", "K1=x\nK2=${K1}-$K1-${FROM_ENV}-$UNSET.\nK3=\"$K1\"\n", vars{{"K1", "x"}, {"K2", "x-x-env-."}, {"K3", "x"}}, ""},
		{"a dollar without a name stays", "K1=a$ b${ c$\n", vars{{"K1", "a$ b${ c$"}}, ""},
		{"empty value", "K1=\nK2=\"\"\n", vars{{"K1", ""}, {"K2", ""}}, ""},
		{"colon separator", "K1: v\n", vars{{"K1", "v"}}, ""},
		{"no final newline", "K1=v", vars{{"K1", "v"}}, ""},
		{"empty file", "", nil, ""},
		{"no equals sign", "K1=v\nJUSTAKEY " + secret + "\n", nil, "2: expected KEY=VALUE"},
		{"unterminated quote", "K1=\"" + secret + "\n", nil, "1: unterminated double-quoted value"},
		{"unterminated single quote keeps its line", "K1=v\nK2='" + secret + "\n\n", nil, "2: unterminated single-quoted value"},
		{"text after a closing quote", "K1='" + secret + "'x\n", nil, "1: unexpected characters after a quoted value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dotenv.Parse([]byte(tt.file), lookupFrom(map[string]string{"FROM_ENV": "env"}))
			if tt.err != "" {
				var se *dotenv.SyntaxError
				if !errors.As(err, &se) || err.Error() != tt.err {
					t.Fatalf("error %v, want the *SyntaxError %q", err, tt.err)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %v quotes the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzParse: any input parses or fails with a *SyntaxError naming a line of
// the file, never quoting it, never panicking; keys are well formed.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"K=v\n", "export K='a'\n", "K=\"a\\nb\" # c\n", "K=${A}$B\n", "\xef\xbb\xbfK=v\r\n",
		"K=\"unterminated\n", "K='x'y\n", "=v\n", "K:v", "K=\"\\$A ${A\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vars, err := dotenv.Parse(data, lookupFrom(map[string]string{"A": "a"}))
		if err != nil {
			var se *dotenv.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v, want a *SyntaxError", err, err)
			}
			if lines := strings.Count(string(data), "\n") + 1; se.Line < 1 || se.Line > lines {
				t.Fatalf("line %d outside 1..%d", se.Line, lines)
			}
			if want := fmt.Sprintf("%d: %s", se.Line, se.Problem); err.Error() != want || !utf8.ValidString(se.Problem) {
				t.Fatalf("error %q, want %q", err, want)
			}
			return
		}
		for _, v := range vars {
			if v.Key == "" || strings.ContainsAny(v.Key, " \t\r\n=:#'\"$") {
				t.Fatalf("malformed key %q", v.Key)
			}
		}
	})
}

func ExampleParse() {
	file := "# Clerk\nexport CLERK_DOMAIN=example.com\nGREETING=\"hello from $CLERK_DOMAIN\" # expanded\n"
	vars, err := dotenv.Parse([]byte(file), func(string) (string, bool) { return "", false })
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range vars {
		fmt.Printf("%s=%s\n", v.Key, v.Value)
	}
	_, err = dotenv.Parse([]byte("A=1\nB='open\n"), nil)
	fmt.Println(err)
	// Output:
	// CLERK_DOMAIN=example.com
	// GREETING=hello from example.com
	// 2: unterminated single-quoted value
}
