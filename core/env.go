package core

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Environment variables read by [ConfigFromEnv].
const (
	EnvSecretKey         = "CLERK_SECRET_KEY"
	EnvAPIKey            = "CLERK_API_KEY" // accepted alias of CLERK_SECRET_KEY
	EnvPublishableKey    = "CLERK_PUBLISHABLE_KEY"
	EnvAPIURL            = "CLERK_API_URL"
	EnvJWTKey            = "CLERK_JWT_KEY"
	EnvAuthorizedParties = "CLERK_AUTHORIZED_PARTIES"
	EnvDomain            = "CLERK_DOMAIN"
	EnvProxyURL          = "CLERK_PROXY_URL"
	EnvUserCacheTTL      = "CLERK_USER_CACHE_TTL" // a Go duration; "0" disables the cache
	EnvAudience          = "CLERK_AUDIENCE"       // comma-separated accepted aud values
	EnvClockSkew         = "CLERK_CLOCK_SKEW"     // a Go duration; "0" for none (core.NoClockSkew)
	// EnvMachineSecretKey is a machine's secret key (ak_...), for M2M
	// tokens: Config.MachineSecretKey.
	EnvMachineSecretKey = "CLERK_MACHINE_SECRET_KEY"
)

// EnvNames returns the name of every environment variable [ConfigFromEnv]
// reads (a new slice each call), for tests and tools that set or clear them
// all.
func EnvNames() []string {
	return []string{
		EnvSecretKey, EnvAPIKey, EnvPublishableKey, EnvAPIURL, EnvJWTKey,
		EnvAuthorizedParties, EnvDomain, EnvProxyURL, EnvUserCacheTTL,
		EnvAudience, EnvClockSkew, EnvMachineSecretKey,
	}
}

// ConfigFromEnv builds a Config from the process environment:
// CLERK_SECRET_KEY (or CLERK_API_KEY), CLERK_PUBLISHABLE_KEY, CLERK_API_URL,
// CLERK_JWT_KEY, CLERK_AUTHORIZED_PARTIES (comma-separated), CLERK_DOMAIN,
// CLERK_PROXY_URL, CLERK_USER_CACHE_TTL ("0" disables the user cache),
// CLERK_AUDIENCE (comma-separated), CLERK_CLOCK_SKEW (a duration such as
// 2s; "0" for none) and CLERK_MACHINE_SECRET_KEY.
// Empty entries of the comma-separated lists (a trailing comma) are
// skipped; every other entry of CLERK_AUTHORIZED_PARTIES must be an origin
// (see Config.AuthorizedParties), and an error quotes the one that is not.
// It reads the environment each time it is called; nothing is captured at
// package level. Call [LoadEnvFile] first to use a .env file. The returned
// config is validated; an error names the variable at fault, never its
// value (an authorized party, an origin, excepted).
func ConfigFromEnv() (Config, error) { return ConfigFromEnvSuffix("") }

// ConfigFromEnvSuffix is [ConfigFromEnv] for one of several instances
// configured side by side: it reads each variable with suffix appended
// (CLERK_SECRET_KEY_A, CLERK_PUBLISHABLE_KEY_A, ... for suffix "_A"), and its
// errors name those variables. The suffix also becomes the config's Name
// (without a leading underscore) unless it is empty.
func ConfigFromEnvSuffix(suffix string) (Config, error) {
	env := func(name string) string { return os.Getenv(name + suffix) }
	cfg := Config{
		SecretKey:      env(EnvSecretKey),
		PublishableKey: env(EnvPublishableKey),
		APIURL:         env(EnvAPIURL),
		JWTKey:         env(EnvJWTKey),
		Domain:         env(EnvDomain),
		ProxyURL:       env(EnvProxyURL),
		Name:           strings.TrimPrefix(suffix, "_"),
	}
	cfg.MachineSecretKey = env(EnvMachineSecretKey)
	if cfg.SecretKey == "" {
		cfg.SecretKey = env(EnvAPIKey)
	} else if alias := env(EnvAPIKey); alias != "" && alias != cfg.SecretKey {
		return Config{}, &ConfigError{Field: EnvAPIKey + suffix, Problem: "differs from " + EnvSecretKey + suffix + "; set only one", Instance: cfg.Name}
	}
	if v := env(EnvUserCacheTTL); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return Config{}, &ConfigError{Field: EnvUserCacheTTL + suffix, Problem: "must be a duration such as 10s, or 0 to disable the cache", Instance: cfg.Name}
		}
		cfg.UserCacheTTL = d
		if d == 0 {
			cfg.UserCacheTTL = -1
		}
	}
	if v := env(EnvClockSkew); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return Config{}, &ConfigError{Field: EnvClockSkew + suffix, Problem: "must be a duration such as 5s, or 0 for none", Instance: cfg.Name}
		}
		cfg.ClockSkew = d
		if d == 0 {
			cfg.ClockSkew = NoClockSkew
		}
	}
	for _, p := range strings.Split(env(EnvAuthorizedParties), ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.AuthorizedParties = append(cfg.AuthorizedParties, p)
		}
	}
	for _, a := range strings.Split(env(EnvAudience), ",") {
		if a = strings.TrimSpace(a); a != "" {
			cfg.Audience = append(cfg.Audience, a)
		}
	}
	if _, err := cfg.resolve(); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.Field = envName(ce.Field) + suffix
		}
		if errors.Is(err, ErrNoKeySource) && suffix != "" {
			return Config{}, &ConfigError{Field: EnvSecretKey + suffix, Instance: cfg.Name, Err: ErrNoKeySource,
				Problem: "no key source: set " + EnvSecretKey + suffix + ", " + EnvJWTKey + suffix + ", " + EnvPublishableKey + suffix + ", " + EnvDomain + suffix + ", " + EnvProxyURL + suffix + " or " + EnvMachineSecretKey + suffix}
		}
		return Config{}, err
	}
	return cfg, nil
}

// envName is the environment variable of a Config field set from the
// environment.
func envName(field string) string {
	switch field {
	case "SecretKey":
		return EnvSecretKey
	case "PublishableKey":
		return EnvPublishableKey
	case "APIURL":
		return EnvAPIURL
	case "JWTKey":
		return EnvJWTKey
	case "AuthorizedParties":
		return EnvAuthorizedParties
	case "Domain":
		return EnvDomain
	case "ProxyURL":
		return EnvProxyURL
	case "UserCacheTTL":
		return EnvUserCacheTTL
	case "Audience":
		return EnvAudience
	case "ClockSkew":
		return EnvClockSkew
	case "MachineSecretKey":
		return EnvMachineSecretKey
	}
	return field
}

// LoadEnvFile sets environment variables from a .env file, read as
// godotenv and Docker Compose read one: KEY=VALUE lines, blank lines and
// "#" comment lines, an optional "export " prefix, inline comments after
// white space ("KEY=value  # note"), single-quoted values taken literally,
// double-quoted values with \n, \r, \t, \", \\ and \$ escapes, quoted values
// over several lines, $VAR and ${VAR} expanded in unquoted and double-quoted
// values (from earlier lines of the file, else the environment), a leading
// UTF-8 byte order mark and CRLF line ends. Variables already set in the
// environment win. A missing file is not an error, so applications can call
// it unconditionally in development. Errors name the file and line, never a
// value.
func LoadEnvFile(path string) error {
	data, err := os.ReadFile(path) //nolint:gosec // the caller names its own .env file
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	vars, err := parseEnvFile(data, os.LookupEnv)
	if err != nil {
		return fmt.Errorf("clerk: %s:%w", path, err)
	}
	for _, v := range vars {
		if _, set := os.LookupEnv(v.key); !set {
			if err := os.Setenv(v.key, v.value); err != nil {
				return fmt.Errorf("clerk: %s: setting %s: %w", path, v.key, err)
			}
		}
	}
	return nil
}

// envVar is one assignment of a .env file.
type envVar struct{ key, value string }

// envSyntaxError is a .env syntax error at a line; it never quotes the file.
type envSyntaxError struct {
	line    int
	problem string
}

func (e *envSyntaxError) Error() string { return fmt.Sprintf("%d: %s", e.line, e.problem) }

// parseEnvFile parses the bytes of a .env file. lookup resolves variables
// the file refers to but does not set.
func parseEnvFile(data []byte, lookup func(string) (string, bool)) ([]envVar, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	src := strings.ReplaceAll(string(data), "\r\n", "\n")
	p := envParser{src: src, line: 1, lookup: lookup, set: map[string]string{}}
	var out []envVar
	for {
		p.skipBlank()
		if p.i >= len(p.src) {
			return out, nil
		}
		v, err := p.assignment()
		if err != nil {
			return nil, err
		}
		p.set[v.key] = v.value
		out = append(out, v)
	}
}

type envParser struct {
	src    string
	i      int
	line   int
	lookup func(string) (string, bool)
	set    map[string]string // assigned so far, for expansion
}

func (p *envParser) fail(problem string) error {
	return &envSyntaxError{line: p.line, problem: problem}
}

// skipBlank skips white space, empty lines and comment lines.
func (p *envParser) skipBlank() {
	for p.i < len(p.src) {
		switch c := p.src[p.i]; {
		case c == '\n':
			p.line++
			p.i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			p.i++
		case c == '#':
			p.skipLine()
		default:
			return
		}
	}
}

// skipLine moves past the end of the current line.
func (p *envParser) skipLine() {
	for p.i < len(p.src) && p.src[p.i] != '\n' {
		p.i++
	}
}

func isKeyByte(c byte, first bool) bool {
	switch {
	case c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'):
		return true
	case !first && ((c >= '0' && c <= '9') || c == '.' || c == '-'):
		return true
	}
	return false
}

// assignment reads KEY=VALUE up to the end of its (last) line.
func (p *envParser) assignment() (envVar, error) {
	if strings.HasPrefix(p.src[p.i:], "export ") || strings.HasPrefix(p.src[p.i:], "export\t") {
		p.i += len("export ")
		for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
			p.i++
		}
	}
	start := p.i
	for p.i < len(p.src) && isKeyByte(p.src[p.i], p.i == start) {
		p.i++
	}
	key := p.src[start:p.i]
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
	if key == "" || p.i >= len(p.src) || (p.src[p.i] != '=' && p.src[p.i] != ':') {
		return envVar{}, p.fail("expected KEY=VALUE")
	}
	p.i++
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
	var (
		value string
		err   error
	)
	switch {
	case p.i < len(p.src) && p.src[p.i] == '\'':
		value, err = p.singleQuoted()
	case p.i < len(p.src) && p.src[p.i] == '"':
		value, err = p.doubleQuoted()
	default:
		value = p.unquoted()
	}
	if err != nil {
		return envVar{}, err
	}
	return envVar{key: key, value: value}, nil
}

// unquoted reads to the end of the line; a '#' after white space starts a
// comment; the value is trimmed and expanded.
func (p *envParser) unquoted() string {
	start := p.i
	end := -1
	for p.i < len(p.src) && p.src[p.i] != '\n' {
		if p.src[p.i] == '#' && (p.i == start || p.src[p.i-1] == ' ' || p.src[p.i-1] == '\t') && end < 0 {
			end = p.i
		}
		p.i++
	}
	if end < 0 {
		end = p.i
	}
	return p.expand(strings.TrimSpace(p.src[start:end]))
}

// singleQuoted reads a literal value up to the closing quote.
func (p *envParser) singleQuoted() (string, error) {
	p.i++ // opening quote
	start, line := p.i, p.line
	for p.i < len(p.src) && p.src[p.i] != '\'' {
		if p.src[p.i] == '\n' {
			p.line++
		}
		p.i++
	}
	if p.i >= len(p.src) {
		p.line = line
		return "", p.fail("unterminated single-quoted value")
	}
	v := p.src[start:p.i]
	p.i++
	return v, p.trailer()
}

// doubleQuoted reads a value with escapes up to the closing quote.
func (p *envParser) doubleQuoted() (string, error) {
	p.i++ // opening quote
	line := p.line
	var b strings.Builder
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			p.i++
			return p.expandEscaped(b.String()), p.trailer()
		case c == '\\' && p.i+1 < len(p.src):
			p.i += 2
			switch e := p.src[p.i-1]; e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '"', '\\':
				b.WriteByte(e)
			case '$':
				b.WriteString(escapedDollar)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		case c == '\n':
			p.line++
		}
		b.WriteByte(c)
		p.i++
	}
	p.line = line
	return "", p.fail("unterminated double-quoted value")
}

// trailer accepts only white space and a comment after a closing quote.
func (p *envParser) trailer() error {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
	if p.i < len(p.src) && p.src[p.i] != '\n' && p.src[p.i] != '#' {
		return p.fail("unexpected characters after a quoted value")
	}
	p.skipLine()
	return nil
}

// escapedDollar stands for a "\$" while a double-quoted value is expanded.
const escapedDollar = "\x00$"

func (p *envParser) expandEscaped(s string) string {
	return strings.ReplaceAll(p.expand(s), "\x00", "")
}

// expand replaces $VAR and ${VAR} with earlier assignments of the file,
// else the environment, else "". A "$" not followed by a name stays.
func (p *envParser) expand(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || (i > 0 && s[i-1] == '\x00') || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		var name string
		j := i + 1
		if s[j] == '{' {
			k := strings.IndexByte(s[j:], '}')
			if k < 0 {
				b.WriteByte(c)
				continue
			}
			name, j = s[j+1:j+k], j+k+1
		} else {
			for j < len(s) && isKeyByte(s[j], j == i+1) && s[j] != '.' && s[j] != '-' {
				j++
			}
			name = s[i+1 : j]
		}
		if name == "" {
			b.WriteByte(c)
			continue
		}
		if v, ok := p.set[name]; ok {
			b.WriteString(v)
		} else if v, ok := p.lookup(name); ok {
			b.WriteString(v)
		}
		i = j - 1
	}
	return b.String()
}
