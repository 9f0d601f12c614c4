package main

import (
	"strings"
	"unicode"
)

var initialisms = map[string]string{
	"id": "ID", "ids": "IDs", "url": "URL", "urls": "URLs", "uri": "URI", "api": "API", "jwt": "JWT",
	"jwks": "JWKS", "saml": "SAML", "scim": "SCIM", "totp": "TOTP", "mfa": "MFA", "sms": "SMS",
	"http": "HTTP", "https": "HTTPS", "json": "JSON", "ip": "IP", "oauth": "OAuth", "m2m": "M2M",
	"idp": "IDP", "sso": "SSO", "otp": "OTP", "ui": "UI", "uuid": "UUID", "html": "HTML",
	"cname": "CNAME", "dns": "DNS", "rsa": "RSA", "ecdsa": "ECDSA", "ed25519": "Ed25519", "pem": "PEM",
	"acs": "ACS", "oidc": "OIDC", "ttl": "TTL", "sp": "SP", "svix": "Svix", "uat": "UAT",
}

// words splits s at non-alphanumerics and at lower-to-upper case changes.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])) && len(cur) > 0 {
			// "x5t" style digits followed by upper start a new word too.
			flush()
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

func exportWord(w string) string {
	if v, ok := initialisms[strings.ToLower(w)]; ok {
		return v
	}
	rs := []rune(w)
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

// goName is the exported Go identifier for a spec name.
func goName(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		b.WriteString(exportWord(w))
	}
	out := b.String()
	if out == "" {
		return "X"
	}
	if unicode.IsDigit([]rune(out)[0]) {
		out = "X" + out
	}
	return out
}

// lowerName is the unexported Go identifier (an argument name) for a spec name.
func lowerName(s string) string {
	ws := words(s)
	if len(ws) == 0 {
		return "x"
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(ws[0]))
	for _, w := range ws[1:] {
		b.WriteString(exportWord(w))
	}
	out := b.String()
	switch out {
	case "type", "func", "range", "map", "select", "default", "go", "chan", "case", "var", "const", "package", "import", "return", "interface", "struct", "ctx", "params", "items", "string":
		out += "Arg"
	}
	return out
}

// serviceNames maps the spec's tags to service names where the plain
// conversion reads badly.
var serviceNames = map[string]string{
	"Allow-list / Block-list": "AllowBlockLists",
	"Email & SMS Templates":   "Templates",
	"Miscellaneous":           "Misc",
	"Sign-in Tokens":          "SignInTokens",
}

func serviceName(tag string) string {
	if v, ok := serviceNames[tag]; ok {
		return v
	}
	return goName(tag)
}

// methodNames fixes method names (keyed by operationId) that the spec's
// x-speakeasy-name-override leaves out or names awkwardly.
var methodNames = map[string]string{
	"GetJWKS":                             "Get",
	"GetPublicInterstitial":               "GetInterstitial",
	"createAdminPortalLinkToken":          "Create",
	"revokeAdminPortalLinkToken":          "Revoke",
	"createApiKey":                        "Create",
	"getApiKeys":                          "List",
	"getApiKey":                           "Get",
	"updateApiKey":                        "Update",
	"deleteApiKey":                        "Delete",
	"getApiKeySecret":                     "GetSecret",
	"revokeApiKey":                        "Revoke",
	"verifyApiKey":                        "Verify",
	"createM2MToken":                      "Create",
	"getM2MTokens":                        "List",
	"revokeM2MToken":                      "Revoke",
	"verifyM2MToken":                      "Verify",
	"ListInstanceOrganizationInvitations": "ListForInstance",
	"ListAllOrganizationDomains":          "ListForInstance",
	"InstanceGetOrganizationMemberships":  "ListForInstance",
	"GetOAuthAccessToken":                 "ListOAuthAccessTokens",
}

// operationIDNamed lists the tags whose methods are named after their
// operationId, because the short names would clash.
var operationIDNamed = map[string]bool{
	"Allow-list / Block-list": true,
}
