package demotest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// RunBanner runs every command the banner prints, in order, as a shell
// would once they are pasted, and returns the shell variables they set:
//
//   - NAME=$(curl -s URL) sets NAME to the body, without its final
//     newlines; the command must answer 200;
//   - NAME=<paste ...> (a real instance: a token to copy) sets NAME to
//     pasted[NAME], which the test must provide;
//   - curl ... runs the request and checks its status: the one the line's
//     comment starts with ("# 401: no token"), else 200.
//
// The commands are read with the shell's quoting rules (single quotes,
// double quotes expanding $NAME, backslash-newline continuations, # comments);
// an unquoted character that a shell (zsh included) would treat specially,
// such as ? or &, an unknown curl option, an unset variable, or a URL not on
// the demo's host fails the test: every command must work as printed.
func RunBanner(t *testing.T, s *Server, pasted map[string]string) map[string]string {
	t.Helper()
	vars := map[string]string{}
	ran := 0
	for _, line := range bannerCommands(s.Banner) {
		if m := assignCurlRE.FindStringSubmatch(line); m != nil {
			r := s.curl(t, m[2], vars)
			if r.Status != http.StatusOK {
				t.Errorf("%s\n  answered %d %s", line, r.Status, r.Body)
			}
			vars[m[1]] = strings.TrimRight(string(r.Body), "\n") // as $(...) does
			ran++
			continue
		}
		if m := assignPasteRE.FindStringSubmatch(line); m != nil {
			v, ok := pasted[m[1]]
			if !ok {
				t.Fatalf("the test pastes nothing for %s", line)
			}
			vars[m[1]] = v
			continue
		}
		if strings.HasPrefix(line, "curl ") {
			words, comment, err := shellWords(line, vars)
			if err != nil {
				t.Fatalf("%s\n  %v", line, err)
			}
			want := http.StatusOK
			if m := statusRE.FindStringSubmatch(comment); m != nil {
				want, _ = strconv.Atoi(m[1])
			}
			if r := s.curlWords(t, line, words); r.Status != want {
				t.Errorf("%s\n  answered %d %s, want %d", line, r.Status, r.Body, want)
			}
			ran++
		}
	}
	if ran == 0 {
		t.Errorf("the banner has no curl command:\n%s", s.Banner)
	}
	return vars
}

var (
	assignCurlRE  = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=\$\((curl [^()]*)\)$`)
	assignPasteRE = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=<[^<>]*>$`)
	statusRE      = regexp.MustCompile(`^#\s*([1-5][0-9][0-9])\b`)
	varRE         = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))`)
)

// bannerCommands returns the banner's command lines, trimmed, with
// backslash-newline continuations joined: the lines that start with "curl "
// or assign a variable.
func bannerCommands(banner string) []string {
	var out []string
	var cont string
	for _, l := range strings.Split(banner, "\n") {
		l = strings.TrimSpace(l)
		if cont != "" {
			l = cont + " " + l
			cont = ""
		}
		if strings.HasSuffix(l, `\`) {
			cont = strings.TrimSpace(strings.TrimSuffix(l, `\`))
			continue
		}
		if strings.HasPrefix(l, "curl ") || assignCurlRE.MatchString(l) || assignPasteRE.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// shellWords splits a command line into words as a POSIX shell does for
// the subset the banners use, expanding variables, and returns the comment
// after the words ("" for none). Anything outside that subset is an error:
// a character the shell would interpret, an unset variable, an unterminated
// quote.
func shellWords(line string, vars map[string]string) (words []string, comment string, err error) {
	expand := func(s string) (string, error) {
		var unset string
		out := varRE.ReplaceAllStringFunc(s, func(m string) string {
			sub := varRE.FindStringSubmatch(m)
			v, ok := vars[sub[1]+sub[2]]
			if !ok && unset == "" {
				unset = sub[1] + sub[2]
			}
			return v
		})
		if unset != "" {
			return "", fmt.Errorf("$%s is not set by any banner line", unset)
		}
		return out, nil
	}
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			return words, strings.TrimSpace(line[i:]), nil
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, "", errors.New("unterminated single quote")
			}
			w.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := strings.IndexByte(line[i+1:], '"')
			if j < 0 {
				return nil, "", errors.New("unterminated double quote")
			}
			inner := line[i+1 : i+1+j]
			if strings.ContainsAny(inner, "\\`!") || strings.Contains(varRE.ReplaceAllString(inner, ""), "$") {
				return nil, "", fmt.Errorf("a double-quoted character the shell interprets in %q", inner)
			}
			v, err := expand(inner)
			if err != nil {
				return nil, "", err
			}
			w.WriteString(v)
			i += j + 1
			inWord = true
		case c == '$':
			m := varRE.FindString(line[i:])
			if m == "" {
				return nil, "", fmt.Errorf("a $ the shell interprets at %q", line[i:])
			}
			v, err := expand(m)
			if err != nil {
				return nil, "", err
			}
			w.WriteString(v)
			i += len(m) - 1
			inWord = true
		case strings.IndexByte("?*[]&;|<>(){}!`\\~", c) >= 0:
			return nil, "", fmt.Errorf("an unquoted %q, which a shell interprets (quote the word)", c)
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, "", nil
}

// curl runs a command line of curl with vars set.
func (s *Server) curl(t *testing.T, line string, vars map[string]string) Response {
	t.Helper()
	words, _, err := shellWords(line, vars)
	if err != nil {
		t.Fatalf("%s\n  %v", line, err)
	}
	return s.curlWords(t, line, words)
}

// curlWords sends the request of a curl command's words.
func (s *Server) curlWords(t *testing.T, line string, words []string) Response {
	t.Helper()
	req, err := curlRequest(s.Host, words)
	if err != nil {
		t.Fatalf("%s\n  %v", line, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s\n  %v", line, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s\n  reading the body: %v", line, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// curlRequest builds the request a curl command describes, from its words:
// the options -s, -i, -H, -b, -X and --data-raw, and one URL, which must be
// on host. Any other option is an error.
func curlRequest(host string, words []string) (*http.Request, error) {
	if len(words) == 0 || words[0] != "curl" {
		return nil, errors.New("not a curl command")
	}
	var (
		method, url, hostHeader string
		header                  = http.Header{}
		body                    []byte
	)
	for i := 1; i < len(words); i++ {
		w := words[i]
		if w == "-s" || w == "-i" {
			continue
		}
		if !strings.HasPrefix(w, "-") {
			if url != "" {
				return nil, fmt.Errorf("a second URL %q", w)
			}
			url = w
			continue
		}
		if i+1 >= len(words) {
			return nil, fmt.Errorf("%s lacks its argument", w)
		}
		i++
		arg := words[i]
		switch w {
		case "-H":
			k, v, ok := strings.Cut(arg, ":")
			if !ok {
				return nil, fmt.Errorf("header %q has no colon", arg)
			}
			if strings.EqualFold(k, "Host") {
				hostHeader = strings.TrimSpace(v)
			} else {
				header.Add(k, strings.TrimSpace(v))
			}
		case "-b":
			if !strings.Contains(arg, "=") {
				return nil, fmt.Errorf("-b %q names a cookie file, not cookies", arg)
			}
			header.Add("Cookie", arg)
		case "-X":
			method = arg
		case "--data-raw":
			body = []byte(arg)
		default:
			return nil, fmt.Errorf("%s, an option the test does not know curl to take", w)
		}
	}
	if url != host && !strings.HasPrefix(url, host+"/") {
		return nil, fmt.Errorf("the URL %q is not on the demo's host %s", url, host)
	}
	if method == "" {
		method = http.MethodGet
		if body != nil {
			method = http.MethodPost // curl's default with data
		}
	}
	req, err := http.NewRequest(method, "http://"+url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header
	if hostHeader != "" {
		req.Host = hostHeader
	}
	return req, nil
}
