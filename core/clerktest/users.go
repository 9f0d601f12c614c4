package clerktest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// User is a Clerk Backend API User object, as the fake serves it. Every
// field the spec requires is present; nullable fields are pointers (nil
// encodes as null). Metadata values come back JSON-decoded (numbers are
// float64).
type User struct {
	ID                            string         `json:"id"`
	Object                        string         `json:"object"`
	ExternalID                    *string        `json:"external_id"`
	PrimaryEmailAddressID         *string        `json:"primary_email_address_id"`
	PrimaryPhoneNumberID          *string        `json:"primary_phone_number_id"`
	PrimaryWeb3WalletID           *string        `json:"primary_web3_wallet_id"`
	Username                      *string        `json:"username"`
	FirstName                     *string        `json:"first_name"`
	LastName                      *string        `json:"last_name"`
	Locale                        *string        `json:"locale"`
	ProfileImageURL               string         `json:"profile_image_url"`
	ImageURL                      string         `json:"image_url"`
	HasImage                      bool           `json:"has_image"`
	PublicMetadata                map[string]any `json:"public_metadata"`
	PrivateMetadata               map[string]any `json:"private_metadata"`
	UnsafeMetadata                map[string]any `json:"unsafe_metadata"`
	EmailAddresses                []EmailAddress `json:"email_addresses"`
	PhoneNumbers                  []PhoneNumber  `json:"phone_numbers"`
	Web3Wallets                   []Web3Wallet   `json:"web3_wallets"`
	Passkeys                      []any          `json:"passkeys"`
	PasswordEnabled               bool           `json:"password_enabled"`
	TwoFactorEnabled              bool           `json:"two_factor_enabled"`
	TOTPEnabled                   bool           `json:"totp_enabled"`
	BackupCodeEnabled             bool           `json:"backup_code_enabled"`
	MFAEnabledAt                  *int64         `json:"mfa_enabled_at"`
	MFADisabledAt                 *int64         `json:"mfa_disabled_at"`
	PasswordLastUpdatedAt         *int64         `json:"password_last_updated_at"`
	ExternalAccounts              []any          `json:"external_accounts"`
	SAMLAccounts                  []any          `json:"saml_accounts"`
	EnterpriseAccounts            []any          `json:"enterprise_accounts"`
	OrganizationMemberships       []any          `json:"organization_memberships"`
	LastSignInAt                  *int64         `json:"last_sign_in_at"`
	Banned                        bool           `json:"banned"`
	Locked                        bool           `json:"locked"`
	Deprovisioned                 bool           `json:"deprovisioned"`
	LockoutExpiresInSeconds       *int64         `json:"lockout_expires_in_seconds"`
	VerificationAttemptsRemaining *int64         `json:"verification_attempts_remaining"`
	UpdatedAt                     int64          `json:"updated_at"`
	CreatedAt                     int64          `json:"created_at"`
	DeleteSelfEnabled             bool           `json:"delete_self_enabled"`
	CreateOrganizationEnabled     bool           `json:"create_organization_enabled"`
	CreateOrganizationsLimit      *int           `json:"create_organizations_limit"`
	LastActiveAt                  *int64         `json:"last_active_at"`
	LegalAcceptedAt               *int64         `json:"legal_accepted_at"`
	BypassClientTrust             bool           `json:"bypass_client_trust"`
}

// PrimaryEmail returns the user's primary email address ("" if none).
func (u User) PrimaryEmail() string {
	if u.PrimaryEmailAddressID == nil {
		return ""
	}
	for _, e := range u.EmailAddresses {
		if e.ID == *u.PrimaryEmailAddressID {
			return e.EmailAddress
		}
	}
	return ""
}

// EmailAddress is a Clerk EmailAddress object.
type EmailAddress struct {
	ID                   string               `json:"id"`
	Object               string               `json:"object"`
	EmailAddress         string               `json:"email_address"`
	Reserved             bool                 `json:"reserved"`
	Verification         *Verification        `json:"verification"`
	LinkedTo             []IdentificationLink `json:"linked_to"`
	MatchesSSOConnection bool                 `json:"matches_sso_connection"`
	CreatedAt            int64                `json:"created_at"`
	UpdatedAt            int64                `json:"updated_at"`
}

// PhoneNumber is a Clerk PhoneNumber object.
type PhoneNumber struct {
	ID                      string               `json:"id"`
	Object                  string               `json:"object"`
	PhoneNumber             string               `json:"phone_number"`
	ReservedForSecondFactor bool                 `json:"reserved_for_second_factor"`
	DefaultSecondFactor     bool                 `json:"default_second_factor"`
	Reserved                bool                 `json:"reserved"`
	Verification            *Verification        `json:"verification"`
	LinkedTo                []IdentificationLink `json:"linked_to"`
	BackupCodes             []string             `json:"backup_codes"`
	CreatedAt               int64                `json:"created_at"`
	UpdatedAt               int64                `json:"updated_at"`
}

// Web3Wallet is a Clerk Web3Wallet object.
type Web3Wallet struct {
	ID           string        `json:"id"`
	Object       string        `json:"object"`
	Web3Wallet   string        `json:"web3_wallet"`
	Verification *Verification `json:"verification"`
	CreatedAt    int64         `json:"created_at"`
	UpdatedAt    int64         `json:"updated_at"`
}

// Verification is the verification of an identification; the fake uses
// Clerk's "verification_admin" shape (identifications created through the
// Backend API are verified by the admin strategy).
type Verification struct {
	Object   string `json:"object"`
	Status   string `json:"status"`
	Strategy string `json:"strategy"`
	Attempts *int   `json:"attempts"`
	ExpireAt *int64 `json:"expire_at"`
}

// IdentificationLink links an identification to an OAuth account.
type IdentificationLink struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// DeletedObject is Clerk's answer to a deletion.
type DeletedObject struct {
	Object  string `json:"object"`
	ID      string `json:"id,omitempty"`
	Deleted bool   `json:"deleted"`
}

// TotalCount is Clerk's answer to a count.
type TotalCount struct {
	Object     string `json:"object"`
	TotalCount int    `json:"total_count"`
}

// UserParams describes a user for [Server.CreateUser]. Zero values mean
// "not set".
type UserParams struct {
	// ID fixes the user ID; by default a fresh "user_..." ID.
	ID         string
	ExternalID string
	FirstName  string
	LastName   string
	Username   string
	Locale     string
	// Email is the primary email address; it goes before EmailAddresses.
	Email          string
	EmailAddresses []string
	PhoneNumbers   []string // the first is primary
	Web3Wallets    []string // the first is primary
	// Password enables password sign-in (its value is not checked).
	Password        string
	PublicMetadata  map[string]any
	PrivateMetadata map[string]any
	UnsafeMetadata  map[string]any
	// ImageURL sets image_url and has_image.
	ImageURL          string
	TOTPEnabled       bool
	BackupCodeEnabled bool
	Banned            bool
	Locked            bool
	// CreatedAt defaults to the server's clock.
	CreatedAt    time.Time
	LastSignInAt time.Time
	LastActiveAt time.Time
}

type userStore struct {
	seq      int
	byID     map[string]*storedUser
	orphanID string // the default sub when there is no default user
}

type storedUser struct {
	seq int
	u   User
}

func newUserStore() *userStore { return &userStore{byID: map[string]*storedUser{}} }

// apiError is a Clerk error answer.
type apiError struct {
	status          int
	code, msg, long string
	meta            map[string]any
}

func (e *apiError) Error() string { return e.code + ": " + e.long }

func paramError(status int, code, param, msg, long string) *apiError {
	return &apiError{status: status, code: code, msg: msg, long: long, meta: map[string]any{"param_name": param}}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func ptr[T any](v T) *T { return &v }

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	return ptr(ms(t))
}

// cloneJSON deep-copies v through JSON.
func cloneJSON[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("clerktest: encode: %v", err))
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("clerktest: decode: %v", err))
	}
	return out
}

// normalize replaces nil slices and maps that the schema requires as arrays
// or objects.
func (u *User) normalize() {
	if u.PublicMetadata == nil {
		u.PublicMetadata = map[string]any{}
	}
	if u.PrivateMetadata == nil {
		u.PrivateMetadata = map[string]any{}
	}
	if u.UnsafeMetadata == nil {
		u.UnsafeMetadata = map[string]any{}
	}
	if u.EmailAddresses == nil {
		u.EmailAddresses = []EmailAddress{}
	}
	for i := range u.EmailAddresses {
		if u.EmailAddresses[i].LinkedTo == nil {
			u.EmailAddresses[i].LinkedTo = []IdentificationLink{}
		}
	}
	if u.PhoneNumbers == nil {
		u.PhoneNumbers = []PhoneNumber{}
	}
	for i := range u.PhoneNumbers {
		if u.PhoneNumbers[i].LinkedTo == nil {
			u.PhoneNumbers[i].LinkedTo = []IdentificationLink{}
		}
	}
	if u.Web3Wallets == nil {
		u.Web3Wallets = []Web3Wallet{}
	}
	for _, p := range []*[]any{&u.Passkeys, &u.ExternalAccounts, &u.SAMLAccounts, &u.EnterpriseAccounts, &u.OrganizationMemberships} {
		if *p == nil {
			*p = []any{}
		}
	}
	u.TwoFactorEnabled = u.TOTPEnabled || u.BackupCodeEnabled
}

func adminVerification() *Verification {
	return &Verification{Object: "verification_admin", Status: "verified", Strategy: "admin"}
}

// newUser is everything needed to create a user, from the Go API or the
// Backend API.
type newUser struct {
	p              UserParams
	emailReserved  []bool
	phoneReserved  []bool
	legalAccepted  time.Time
	deleteSelf     bool
	createOrg      bool
	createOrgLimit *int
	bypassTrust    bool
}

func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(e, " \t\r\n") && !strings.Contains(domain, "@")
}

// insertLocked validates and stores a user. s.mu must be held.
func (s *Server) insertLocked(n newUser) (User, *apiError) {
	p := n.p
	now := s.clock()
	created := p.CreatedAt
	if created.IsZero() {
		created = now
	}
	id := p.ID
	if id == "" {
		id = newID("user_")
	}
	if _, ok := s.users.byID[id]; ok {
		return User{}, paramError(422, "form_identifier_exists", "user_id", "is taken", "A user with ID "+id+" already exists.")
	}
	emails := slices.Clone(p.EmailAddresses)
	if p.Email != "" {
		emails = append([]string{p.Email}, emails...)
	}
	for i, e := range emails {
		if !validEmail(e) {
			return User{}, paramError(422, "form_param_format_invalid", "email_address", "is invalid", "email_address must be a valid email address.")
		}
		if s.findUserLocked(func(u *User) bool { return hasEmail(u, e) }) != nil ||
			slices.ContainsFunc(emails[:i], func(x string) bool { return strings.EqualFold(x, e) }) {
			return User{}, paramError(422, "form_identifier_exists", "email_address", "That email address is taken. Please try another.", "That email address is taken. Please try another.")
		}
	}
	for _, ph := range p.PhoneNumbers {
		if s.findUserLocked(func(u *User) bool { return hasPhone(u, ph) }) != nil {
			return User{}, paramError(422, "form_identifier_exists", "phone_number", "That phone number is taken. Please try another.", "That phone number is taken. Please try another.")
		}
	}
	for _, wl := range p.Web3Wallets {
		if s.findUserLocked(func(u *User) bool { return hasWallet(u, wl) }) != nil {
			return User{}, paramError(422, "form_identifier_exists", "web3_wallet", "That Web3 wallet is taken. Please try another.", "That Web3 wallet is taken. Please try another.")
		}
	}
	if p.Username != "" && s.findUserLocked(func(u *User) bool { return u.Username != nil && strings.EqualFold(*u.Username, p.Username) }) != nil {
		return User{}, paramError(422, "form_identifier_exists", "username", "That username is taken. Please try another.", "That username is taken. Please try another.")
	}
	if p.ExternalID != "" && s.findUserLocked(func(u *User) bool { return u.ExternalID != nil && *u.ExternalID == p.ExternalID }) != nil {
		return User{}, paramError(422, "form_identifier_exists", "external_id", "That external ID is taken.", "A user with external_id "+p.ExternalID+" already exists.")
	}

	u := User{
		ID:                        id,
		Object:                    "user",
		ExternalID:                optString(p.ExternalID),
		Username:                  optString(p.Username),
		FirstName:                 optString(p.FirstName),
		LastName:                  optString(p.LastName),
		Locale:                    optString(p.Locale),
		ProfileImageURL:           "https://www.gravatar.com/avatar?d=mp",
		ImageURL:                  "https://img.clerk.com/" + randomString(40),
		PublicMetadata:            cloneJSON(p.PublicMetadata),
		PrivateMetadata:           cloneJSON(p.PrivateMetadata),
		UnsafeMetadata:            cloneJSON(p.UnsafeMetadata),
		PasswordEnabled:           p.Password != "",
		TOTPEnabled:               p.TOTPEnabled,
		BackupCodeEnabled:         p.BackupCodeEnabled,
		LastSignInAt:              optMillis(p.LastSignInAt),
		LastActiveAt:              optMillis(p.LastActiveAt),
		Banned:                    p.Banned,
		Locked:                    p.Locked,
		CreatedAt:                 ms(created),
		UpdatedAt:                 ms(created),
		DeleteSelfEnabled:         n.deleteSelf,
		CreateOrganizationEnabled: n.createOrg,
		CreateOrganizationsLimit:  n.createOrgLimit,
		LegalAcceptedAt:           optMillis(n.legalAccepted),
		BypassClientTrust:         n.bypassTrust,
	}
	if p.ImageURL != "" {
		u.ImageURL, u.ProfileImageURL, u.HasImage = p.ImageURL, p.ImageURL, true
	}
	if u.PasswordEnabled {
		u.PasswordLastUpdatedAt = ptr(ms(now))
	}
	if u.TOTPEnabled || u.BackupCodeEnabled {
		u.MFAEnabledAt = ptr(ms(now))
	}
	if u.Locked {
		u.LockoutExpiresInSeconds = nil // locked via the API: never expires
	}
	for i, e := range emails {
		ea := EmailAddress{ID: newID("idn_"), Object: "email_address", EmailAddress: strings.ToLower(e),
			Verification: adminVerification(), CreatedAt: ms(created), UpdatedAt: ms(created)}
		if i < len(n.emailReserved) && n.emailReserved[i] {
			ea.Reserved, ea.Verification = true, nil
		}
		u.EmailAddresses = append(u.EmailAddresses, ea)
	}
	for i, ph := range p.PhoneNumbers {
		pn := PhoneNumber{ID: newID("idn_"), Object: "phone_number", PhoneNumber: ph,
			Verification: adminVerification(), CreatedAt: ms(created), UpdatedAt: ms(created)}
		if i < len(n.phoneReserved) && n.phoneReserved[i] {
			pn.Reserved, pn.Verification = true, nil
		}
		u.PhoneNumbers = append(u.PhoneNumbers, pn)
	}
	for _, wl := range p.Web3Wallets {
		u.Web3Wallets = append(u.Web3Wallets, Web3Wallet{ID: newID("idn_"), Object: "web3_wallet", Web3Wallet: wl,
			Verification: adminVerification(), CreatedAt: ms(created), UpdatedAt: ms(created)})
	}
	if len(u.EmailAddresses) > 0 {
		u.PrimaryEmailAddressID = ptr(u.EmailAddresses[0].ID)
	}
	if len(u.PhoneNumbers) > 0 {
		u.PrimaryPhoneNumberID = ptr(u.PhoneNumbers[0].ID)
	}
	if len(u.Web3Wallets) > 0 {
		u.PrimaryWeb3WalletID = ptr(u.Web3Wallets[0].ID)
	}
	u.normalize()
	s.users.seq++
	s.users.byID[id] = &storedUser{seq: s.users.seq, u: u}
	return cloneJSON(u), nil
}

func hasEmail(u *User, e string) bool {
	return slices.ContainsFunc(u.EmailAddresses, func(x EmailAddress) bool { return strings.EqualFold(x.EmailAddress, e) })
}

func hasPhone(u *User, ph string) bool {
	return slices.ContainsFunc(u.PhoneNumbers, func(x PhoneNumber) bool { return x.PhoneNumber == ph })
}

func hasWallet(u *User, w string) bool {
	return slices.ContainsFunc(u.Web3Wallets, func(x Web3Wallet) bool { return strings.EqualFold(x.Web3Wallet, w) })
}

func (s *Server) findUserLocked(match func(*User) bool) *User {
	for _, su := range s.users.byID {
		if match(&su.u) {
			return &su.u
		}
	}
	return nil
}

// CreateUser stores a user, as POST /v1/users would, and returns it. Use its
// ID with [WithSubject] so that a minted token refers to it. It panics when
// Clerk would refuse the user (an identifier or ID already taken, a
// malformed email address): it is meant for test setup.
func (s *Server) CreateUser(p UserParams) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.insertLocked(newUser{p: p, deleteSelf: true, createOrg: true})
	if err != nil {
		panic("clerktest: CreateUser: " + err.Error())
	}
	return u
}

// User returns the stored user with that ID.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	su, ok := s.users.byID[id]
	if !ok {
		return User{}, false
	}
	return cloneJSON(su.u), true
}

// Users returns every stored user, oldest first.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.sortedLocked(func(a, b *storedUser) int { return a.seq - b.seq })
	out := make([]User, len(all))
	for i, su := range all {
		out[i] = cloneJSON(su.u)
	}
	return out
}

// ModifyUser applies fn to the stored user with that ID (to ban it, lock
// it, attach organization memberships, ...), bumps updated_at unless fn
// changed it, and returns the result. It reports false when there is no such
// user. fn must not keep u.
func (s *Server) ModifyUser(id string, fn func(u *User)) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	su, ok := s.users.byID[id]
	if !ok {
		return User{}, false
	}
	u := cloneJSON(su.u)
	before := u.UpdatedAt
	fn(&u)
	u.ID = id
	if u.UpdatedAt == before {
		u.UpdatedAt = max(ms(s.clock()), before)
	}
	u.normalize()
	su.u = cloneJSON(u)
	return cloneJSON(su.u), true
}

// DeleteUser removes the user with that ID and reports whether it existed.
// Deleting the default user does not change the default "sub" of minted
// tokens: they then refer to a user that no longer exists.
func (s *Server) DeleteUser(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.users.byID[id]
	delete(s.users.byID, id)
	return ok
}

// DefaultUserID returns the ID of the default user that [New] created, the
// default "sub" of minted tokens. With [WithoutDefaultUser] it is a stable
// ID that refers to no user.
func (s *Server) DefaultUserID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.defaultUser == "" {
		return s.users.orphanID
	}
	return s.defaultUser
}

// DefaultUser returns the default user that [New] created (by default Test
// User, test@example.com, see [WithDefaultUser]); false when there is none
// or it was deleted.
func (s *Server) DefaultUser() (User, bool) {
	return s.User(s.DefaultUserID())
}

// sortedLocked returns the stored users sorted by cmp. s.mu must be held.
func (s *Server) sortedLocked(cmp func(a, b *storedUser) int) []*storedUser {
	all := slices.Collect(maps.Values(s.users.byID))
	slices.SortFunc(all, cmp)
	return all
}
