package demotest

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestShellWords(t *testing.T) {
	vars := map[string]string{"TOKEN": "t.o.k", "EMPTY": ""}
	tests := []struct {
		line    string
		words   []string
		comment string
		err     string // a part of the error; "" for none
	}{
		{line: `curl localhost:1/health`, words: []string{"curl", "localhost:1/health"}},
		{line: `curl -H "Authorization: Bearer $TOKEN" h/me   # 401: no`, words: []string{"curl", "-H", "Authorization: Bearer t.o.k", "h/me"}, comment: "# 401: no"},
		{line: `curl -s 'h/demo/token?kind=api_key'`, words: []string{"curl", "-s", "h/demo/token?kind=api_key"}},
		{line: `curl -b "__session=${TOKEN}; x=1" h`, words: []string{"curl", "-b", "__session=t.o.k; x=1", "h"}},
		{line: `curl a$TOKEN'b c'"$EMPTY"d`, words: []string{"curl", "at.o.kb cd"}},
		{line: `curl h/a#b`, words: []string{"curl", "h/a#b"}},
		{line: `curl '{"a":"$TOKEN"}'`, words: []string{"curl", `{"a":"$TOKEN"}`}},
		{line: `curl h/demo/token?kind=m2m`, err: `unquoted '?'`},
		{line: `curl h/a&b`, err: `unquoted '&'`},
		{line: `curl h/[a]`, err: `unquoted '['`},
		{line: `curl h; rm x`, err: `unquoted ';'`},
		{line: `curl "hi!"`, err: "double-quoted character"},
		{line: `curl "$(date)"`, err: "double-quoted character"},
		{line: `curl $(date)`, err: "a $ the shell interprets"},
		{line: `curl "$NOPE"`, err: "$NOPE is not set"},
		{line: `curl $NOPE`, err: "$NOPE is not set"},
		{line: `curl 'open`, err: "unterminated single quote"},
		{line: `curl "open`, err: "unterminated double quote"},
	}
	for _, tt := range tests {
		words, comment, err := shellWords(tt.line, vars)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("shellWords(%s): %q, %v; want an error with %q", tt.line, words, err, tt.err)
			}
		case err != nil || !slices.Equal(words, tt.words) || comment != tt.comment:
			t.Errorf("shellWords(%s) = %q, %q, %v; want %q, %q", tt.line, words, comment, err, tt.words, tt.comment)
		}
	}
}

func TestCurlRequest(t *testing.T) {
	const host = "localhost:1"
	tests := []struct {
		words  string // split on spaces; "+" stands for a space inside a word
		method string
		url    string
		host   string
		header map[string]string
		body   string
		err    string
	}{
		{words: "curl localhost:1/health", method: "GET", url: "http://localhost:1/health"},
		{words: "curl -i -H Authorization:+Bearer+x -H Host:+a.localhost localhost:1/me", method: "GET", url: "http://localhost:1/me",
			host: "a.localhost", header: map[string]string{"Authorization": "Bearer x"}},
		{words: "curl -b __session=x;+u=1 localhost:1/claims", method: "GET", url: "http://localhost:1/claims", header: map[string]string{"Cookie": "__session=x; u=1"}},
		{words: "curl -i -X POST localhost:1/hook -H Content-Type:+a/b --data-raw {}", method: "POST", url: "http://localhost:1/hook",
			header: map[string]string{"Content-Type": "a/b"}, body: "{}"},
		{words: "curl --data-raw x localhost:1/hook", method: "POST", url: "http://localhost:1/hook", body: "x"},
		{words: "curl localhost:2/me", err: "not on the demo's host"},
		{words: "curl localhost:12/me", err: "not on the demo's host"},
		{words: "curl -L localhost:1/me", err: "-L, an option"},
		{words: "curl -b cookies.txt localhost:1/me", err: "cookie file"},
		{words: "curl -H nocolon localhost:1/me", err: "no colon"},
		{words: "curl localhost:1/a localhost:1/b", err: "a second URL"},
		{words: "curl localhost:1/me -H", err: "lacks its argument"},
		{words: "wget localhost:1/me", err: "not a curl command"},
	}
	for _, tt := range tests {
		var words []string
		for _, w := range strings.Split(tt.words, " ") {
			words = append(words, strings.ReplaceAll(w, "+", " "))
		}
		req, err := curlRequest(host, words)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("curlRequest(%s): %v, want an error with %q", tt.words, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("curlRequest(%s): %v", tt.words, err)
			continue
		}
		body, _ := io.ReadAll(req.Body)
		if req.Method != tt.method || req.URL.String() != tt.url || req.Host != tt.host && tt.host != "" || string(body) != tt.body {
			t.Errorf("curlRequest(%s) = %s %s host %q body %q", tt.words, req.Method, req.URL, req.Host, body)
		}
		if len(req.Header) != len(tt.header) {
			t.Errorf("curlRequest(%s): header %v, want %v", tt.words, req.Header, tt.header)
		}
		for k, v := range tt.header {
			if got := req.Header.Get(k); got != v {
				t.Errorf("curlRequest(%s): %s %q, want %q", tt.words, k, got, v)
			}
		}
	}
}

func TestBannerCommands(t *testing.T) {
	banner := "clerkgo demo\n" +
		"Paste these:\n\n" +
		"  TOKEN=$(curl -s h/demo/token)\n" +
		"  KEY=<paste an API key (ak_...) of this instance>\n" +
		"  curl h/health\n" +
		"  curl -i -X POST h/hook \\\n" +
		"    -H 'a: b' \\\n" +
		"    --data-raw '{}'\n" +
		"Stop with Ctrl-C.\n"
	want := []string{
		"TOKEN=$(curl -s h/demo/token)",
		"KEY=<paste an API key (ak_...) of this instance>",
		"curl h/health",
		"curl -i -X POST h/hook -H 'a: b' --data-raw '{}'",
	}
	if got := bannerCommands(banner); !slices.Equal(got, want) {
		t.Errorf("bannerCommands = %q, want %q", got, want)
	}
}
