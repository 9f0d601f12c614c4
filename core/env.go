package core

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/clerkgo/clerk/internal/dotenv"
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
	EnvSignInURL         = "CLERK_SIGN_IN_URL"
	EnvIsSatellite       = "CLERK_IS_SATELLITE"   // "true" or "false" (any case), or a number: > 0 is true
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
		EnvAuthorizedParties, EnvDomain, EnvProxyURL, EnvSignInURL, EnvUserCacheTTL,
		EnvAudience, EnvClockSkew, EnvMachineSecretKey, EnvIsSatellite,
	}
}

// ConfigFromEnv builds a Config from the process environment:
// CLERK_SECRET_KEY (or CLERK_API_KEY), CLERK_PUBLISHABLE_KEY, CLERK_API_URL,
// CLERK_JWT_KEY, CLERK_AUTHORIZED_PARTIES (comma-separated), CLERK_DOMAIN,
// CLERK_PROXY_URL, CLERK_SIGN_IN_URL, CLERK_IS_SATELLITE (Clerk's isTruthy:
// "true"/"false" in any case or an integer, > 0 true; any other value is
// refused), CLERK_USER_CACHE_TTL ("0" disables the user cache),
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
		SignInURL:      env(EnvSignInURL),
		Name:           strings.TrimPrefix(suffix, "_"),
	}
	cfg.MachineSecretKey = env(EnvMachineSecretKey)
	if v := env(EnvIsSatellite); v != "" {
		sat, ok := envTruthy(v)
		if !ok {
			return Config{}, &ConfigError{Field: EnvIsSatellite + suffix, Problem: "must be true or false", Instance: cfg.Name}
		}
		cfg.IsSatellite = sat
	}
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
	case "SignInURL":
		return EnvSignInURL
	case "IsSatellite":
		return EnvIsSatellite
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

// envTruthy reads a boolean variable as Clerk's isTruthy does ("true" or
// "false" in any case; an integer, true when > 0), and reports false for
// anything else, which Clerk reads as false and clerkgo refuses.
func envTruthy(v string) (value, ok bool) {
	switch strings.ToLower(v) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return false, false
	}
	return n > 0, true
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
	vars, err := dotenv.Parse(data, os.LookupEnv)
	if err != nil {
		return fmt.Errorf("clerk: %s:%w", path, err)
	}
	for _, v := range vars {
		if _, set := os.LookupEnv(v.Key); !set {
			if err := os.Setenv(v.Key, v.Value); err != nil {
				return fmt.Errorf("clerk: %s: setting %s: %w", path, v.Key, err)
			}
		}
	}
	return nil
}
