package clerktest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const maxBodyBytes = 1 << 20

func (s *Server) writeAPIError(w http.ResponseWriter, e *apiError) {
	s.writeErrorMeta(w, e.status, e.code, e.msg, e.long, e.meta)
}

func notFound(id string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "resource_not_found", msg: "not found",
		long: "No user was found with id " + id + "."}
}

// decodeBody decodes a JSON object body into dst (rejecting unknown
// fields, as the spec's additionalProperties: false) and also returns the
// raw fields, so that callers can tell an omitted field from a null one.
func decodeBody(r *http.Request, dst any) (map[string]json.RawMessage, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "request_body_invalid", msg: "Request body invalid",
			long: "The request body could not be read or is too large."}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "request_body_invalid", msg: "Request body invalid",
			long: "The request body is not a valid JSON object."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, paramError(http.StatusUnprocessableEntity, "form_param_format_invalid", te.Field,
				"is invalid", fmt.Sprintf("%s has an invalid type.", te.Field))
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			return nil, paramError(http.StatusUnprocessableEntity, "form_param_unknown", name,
				"is unknown", name+" is not a valid parameter for this request.")
		}
		return nil, &apiError{status: http.StatusBadRequest, code: "request_body_invalid", msg: "Request body invalid",
			long: "The request body is not valid JSON."}
	}
	return raw, nil
}

func parseRFC3339(param string, v *string) (time.Time, *apiError) {
	if v == nil || *v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *v)
	if err != nil {
		return time.Time{}, paramError(http.StatusUnprocessableEntity, "form_param_format_invalid", param,
			"is invalid", param+" must be an RFC3339 date-time.")
	}
	return t, nil
}

func identificationStatus(param string, status []string, n int) ([]bool, *apiError) {
	if len(status) == 0 {
		return nil, nil
	}
	if len(status) != n {
		return nil, paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", param, "is invalid",
			param+" must contain exactly one item per identifier.")
	}
	out := make([]bool, n)
	for i, st := range status {
		switch st {
		case "verified":
		case "reserved":
			out[i] = true
		default:
			return nil, paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", param, "is invalid",
				param+" items must be verified or reserved.")
		}
	}
	return out, nil
}

type createUserRequest struct {
	ExternalID                       *string        `json:"external_id"`
	FirstName                        *string        `json:"first_name"`
	LastName                         *string        `json:"last_name"`
	Locale                           *string        `json:"locale"`
	EmailAddress                     []string       `json:"email_address"`
	EmailAddressIdentificationStatus []string       `json:"email_address_identification_status"`
	PhoneNumber                      []string       `json:"phone_number"`
	PhoneNumberIdentificationStatus  []string       `json:"phone_number_identification_status"`
	Web3Wallet                       []string       `json:"web3_wallet"`
	Username                         *string        `json:"username"`
	Password                         *string        `json:"password"`
	PasswordDigest                   *string        `json:"password_digest"`
	PasswordHasher                   *string        `json:"password_hasher"`
	SkipPasswordChecks               *bool          `json:"skip_password_checks"`
	SkipPasswordRequirement          *bool          `json:"skip_password_requirement"`
	TOTPSecret                       *string        `json:"totp_secret"`
	BackupCodes                      []string       `json:"backup_codes"`
	PublicMetadata                   map[string]any `json:"public_metadata"`
	PrivateMetadata                  map[string]any `json:"private_metadata"`
	UnsafeMetadata                   map[string]any `json:"unsafe_metadata"`
	DeleteSelfEnabled                *bool          `json:"delete_self_enabled"`
	LegalAcceptedAt                  *string        `json:"legal_accepted_at"`
	SkipLegalChecks                  *bool          `json:"skip_legal_checks"`
	SkipUserRequirement              *bool          `json:"skip_user_requirement"`
	CreateOrganizationEnabled        *bool          `json:"create_organization_enabled"`
	CreateOrganizationsLimit         *int           `json:"create_organizations_limit"`
	CreatedAt                        *string        `json:"created_at"`
	BypassClientTrust                *bool          `json:"bypass_client_trust"`
	Banned                           *bool          `json:"banned"`
	Locked                           *bool          `json:"locked"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	if _, e := decodeBody(r, &req); e != nil {
		s.writeAPIError(w, e)
		return
	}
	pw := deref(req.Password)
	if pw != "" && len(pw) < 8 && !deref(req.SkipPasswordChecks) {
		s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_password_length_too_short", "password",
			"Passwords must be 8 characters or more.", "Passwords must be 8 characters or more."))
		return
	}
	if pw == "" && deref(req.PasswordDigest) != "" {
		pw = "digest"
	}
	created, e := parseRFC3339("created_at", req.CreatedAt)
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	legal, e := parseRFC3339("legal_accepted_at", req.LegalAcceptedAt)
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	emailRes, e := identificationStatus("email_address_identification_status", req.EmailAddressIdentificationStatus, len(req.EmailAddress))
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	phoneRes, e := identificationStatus("phone_number_identification_status", req.PhoneNumberIdentificationStatus, len(req.PhoneNumber))
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	n := newUser{
		p: UserParams{
			ExternalID:        deref(req.ExternalID),
			FirstName:         deref(req.FirstName),
			LastName:          deref(req.LastName),
			Username:          deref(req.Username),
			Locale:            deref(req.Locale),
			EmailAddresses:    req.EmailAddress,
			PhoneNumbers:      req.PhoneNumber,
			Web3Wallets:       req.Web3Wallet,
			Password:          pw,
			PublicMetadata:    req.PublicMetadata,
			PrivateMetadata:   req.PrivateMetadata,
			UnsafeMetadata:    req.UnsafeMetadata,
			TOTPEnabled:       deref(req.TOTPSecret) != "",
			BackupCodeEnabled: len(req.BackupCodes) > 0,
			Banned:            deref(req.Banned),
			Locked:            deref(req.Locked),
			CreatedAt:         created,
		},
		emailReserved:  emailRes,
		phoneReserved:  phoneRes,
		legalAccepted:  legal,
		deleteSelf:     req.DeleteSelfEnabled == nil || *req.DeleteSelfEnabled,
		createOrg:      req.CreateOrganizationEnabled == nil || *req.CreateOrganizationEnabled,
		createOrgLimit: req.CreateOrganizationsLimit,
		bypassTrust:    deref(req.BypassClientTrust),
	}
	s.mu.Lock()
	u, e := s.insertLocked(n)
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	s.writeJSON(w, http.StatusOK, u)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("user_id")
	u, ok := s.User(id)
	if !ok {
		s.writeAPIError(w, notFound(id))
		return
	}
	s.writeJSON(w, http.StatusOK, u)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("user_id")
	if !s.DeleteUser(id) {
		s.writeAPIError(w, notFound(id))
		return
	}
	s.writeJSON(w, http.StatusOK, DeletedObject{Object: "user", ID: id, Deleted: true})
}

type updateUserRequest struct {
	ExternalID                       *string  `json:"external_id"`
	FirstName                        *string  `json:"first_name"`
	LastName                         *string  `json:"last_name"`
	Locale                           *string  `json:"locale"`
	PrimaryEmailAddressID            *string  `json:"primary_email_address_id"`
	NotifyPrimaryEmailAddressChanged *bool    `json:"notify_primary_email_address_changed"`
	PrimaryPhoneNumberID             *string  `json:"primary_phone_number_id"`
	PrimaryWeb3WalletID              *string  `json:"primary_web3_wallet_id"`
	Username                         *string  `json:"username"`
	ProfileImageID                   *string  `json:"profile_image_id"`
	Password                         *string  `json:"password"`
	PasswordDigest                   *string  `json:"password_digest"`
	PasswordHasher                   *string  `json:"password_hasher"`
	SkipPasswordChecks               *bool    `json:"skip_password_checks"`
	SignOutOfOtherSessions           *bool    `json:"sign_out_of_other_sessions"`
	TOTPSecret                       *string  `json:"totp_secret"`
	BackupCodes                      []string `json:"backup_codes"`
	DeleteSelfEnabled                *bool    `json:"delete_self_enabled"`
	CreateOrganizationEnabled        *bool    `json:"create_organization_enabled"`
	LegalAcceptedAt                  *string  `json:"legal_accepted_at"`
	SkipLegalChecks                  *bool    `json:"skip_legal_checks"`
	CreateOrganizationsLimit         *int     `json:"create_organizations_limit"`
	CreatedAt                        *string  `json:"created_at"`
	BypassClientTrust                *bool    `json:"bypass_client_trust"`
}

// updateUser implements PATCH /v1/users/{user_id}: an omitted field is
// unchanged, null clears a nullable field (first_name, last_name, username,
// external_id, locale, legal_accepted_at, create_organizations_limit).
// Metadata is not accepted there since API version 2026-05-12.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("user_id")
	var req updateUserRequest
	raw, e := decodeBody(r, &req)
	if e != nil {
		if e.code == "form_param_unknown" && strings.HasSuffix(fmt.Sprint(e.meta["param_name"]), "_metadata") {
			e.long = "Metadata can no longer be updated with this endpoint; use PATCH or PUT /v1/users/{user_id}/metadata."
		}
		s.writeAPIError(w, e)
		return
	}
	if pw := deref(req.Password); pw != "" && len(pw) < 8 && !deref(req.SkipPasswordChecks) {
		s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_password_length_too_short", "password",
			"Passwords must be 8 characters or more.", "Passwords must be 8 characters or more."))
		return
	}
	created, e := parseRFC3339("created_at", req.CreatedAt)
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	legal, e := parseRFC3339("legal_accepted_at", req.LegalAcceptedAt)
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	isNull := func(k string) bool { return string(bytes.TrimSpace(raw[k])) == "null" }

	s.mu.Lock()
	defer s.mu.Unlock()
	su, ok := s.users.byID[id]
	if !ok {
		s.writeAPIError(w, notFound(id))
		return
	}
	u := cloneJSON(su.u)
	now := ms(s.clock())
	setNullable := func(key string, dst **string, v *string) {
		switch {
		case isNull(key):
			*dst = nil
		case v != nil:
			*dst = ptr(*v)
		}
	}
	setNullable("first_name", &u.FirstName, req.FirstName)
	setNullable("last_name", &u.LastName, req.LastName)
	setNullable("locale", &u.Locale, req.Locale)
	if req.ExternalID != nil || isNull("external_id") {
		if req.ExternalID != nil && *req.ExternalID != "" && s.findUserLocked(func(o *User) bool {
			return o.ID != id && o.ExternalID != nil && *o.ExternalID == *req.ExternalID
		}) != nil {
			s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_identifier_exists", "external_id",
				"That external ID is taken.", "A user with external_id "+*req.ExternalID+" already exists."))
			return
		}
		setNullable("external_id", &u.ExternalID, req.ExternalID)
	}
	if req.Username != nil || isNull("username") {
		if req.Username != nil && *req.Username != "" && s.findUserLocked(func(o *User) bool {
			return o.ID != id && o.Username != nil && strings.EqualFold(*o.Username, *req.Username)
		}) != nil {
			s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_identifier_exists", "username",
				"That username is taken. Please try another.", "That username is taken. Please try another."))
			return
		}
		setNullable("username", &u.Username, req.Username)
		if u.Username != nil && *u.Username == "" {
			u.Username = nil
		}
	}
	if v := req.PrimaryEmailAddressID; v != nil {
		if !primaryOK(len(u.EmailAddresses), func(i int) (string, bool) {
			return u.EmailAddresses[i].ID, u.EmailAddresses[i].Verification != nil
		}, *v) {
			s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", "primary_email_address_id",
				"is invalid", "primary_email_address_id must be a verified email address of this user."))
			return
		}
		u.PrimaryEmailAddressID = ptr(*v)
	}
	if v := req.PrimaryPhoneNumberID; v != nil {
		if !primaryOK(len(u.PhoneNumbers), func(i int) (string, bool) {
			return u.PhoneNumbers[i].ID, u.PhoneNumbers[i].Verification != nil
		}, *v) {
			s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", "primary_phone_number_id",
				"is invalid", "primary_phone_number_id must be a verified phone number of this user."))
			return
		}
		u.PrimaryPhoneNumberID = ptr(*v)
	}
	if v := req.PrimaryWeb3WalletID; v != nil {
		if !primaryOK(len(u.Web3Wallets), func(i int) (string, bool) {
			return u.Web3Wallets[i].ID, u.Web3Wallets[i].Verification != nil
		}, *v) {
			s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", "primary_web3_wallet_id",
				"is invalid", "primary_web3_wallet_id must be a verified web3 wallet of this user."))
			return
		}
		u.PrimaryWeb3WalletID = ptr(*v)
	}
	if deref(req.ProfileImageID) != "" {
		u.HasImage = true
	}
	if deref(req.Password) != "" || deref(req.PasswordDigest) != "" {
		u.PasswordEnabled = true
		u.PasswordLastUpdatedAt = ptr(now)
	}
	mfaBefore := u.TOTPEnabled || u.BackupCodeEnabled
	if deref(req.TOTPSecret) != "" {
		u.TOTPEnabled = true
	}
	if len(req.BackupCodes) > 0 {
		u.BackupCodeEnabled = true
	}
	if !mfaBefore && (u.TOTPEnabled || u.BackupCodeEnabled) {
		u.MFAEnabledAt = ptr(now)
	}
	if req.DeleteSelfEnabled != nil {
		u.DeleteSelfEnabled = *req.DeleteSelfEnabled
	}
	if req.CreateOrganizationEnabled != nil {
		u.CreateOrganizationEnabled = *req.CreateOrganizationEnabled
	}
	if req.BypassClientTrust != nil {
		u.BypassClientTrust = *req.BypassClientTrust
	}
	switch {
	case isNull("create_organizations_limit"):
		u.CreateOrganizationsLimit = nil
	case req.CreateOrganizationsLimit != nil:
		u.CreateOrganizationsLimit = ptr(*req.CreateOrganizationsLimit)
	}
	switch {
	case isNull("legal_accepted_at"):
		u.LegalAcceptedAt = nil
	case !legal.IsZero():
		u.LegalAcceptedAt = ptr(ms(legal))
	}
	if !created.IsZero() {
		u.CreatedAt = ms(created)
	}
	u.UpdatedAt = max(now, u.UpdatedAt)
	u.normalize()
	su.u = u
	s.writeJSON(w, http.StatusOK, cloneJSON(u))
}

func primaryOK(n int, at func(int) (id string, verified bool), want string) bool {
	for i := range n {
		if id, verified := at(i); id == want {
			return verified
		}
	}
	return false
}

type metadataRequest struct {
	PublicMetadata  json.RawMessage `json:"public_metadata"`
	PrivateMetadata json.RawMessage `json:"private_metadata"`
	UnsafeMetadata  json.RawMessage `json:"unsafe_metadata"`
}

func (s *Server) mergeUserMetadata(w http.ResponseWriter, r *http.Request) {
	s.updateMetadata(w, r, true)
}

func (s *Server) replaceUserMetadata(w http.ResponseWriter, r *http.Request) {
	s.updateMetadata(w, r, false)
}

// updateMetadata implements PATCH (deep merge; a null value removes a key at
// any level) and PUT (replace each supplied field) of
// /v1/users/{user_id}/metadata.
func (s *Server) updateMetadata(w http.ResponseWriter, r *http.Request, merge bool) {
	id := r.PathValue("user_id")
	var req metadataRequest
	if _, e := decodeBody(r, &req); e != nil {
		s.writeAPIError(w, e)
		return
	}
	fields := []struct {
		name string
		raw  json.RawMessage
		val  map[string]any
	}{{"public_metadata", req.PublicMetadata, nil}, {"private_metadata", req.PrivateMetadata, nil}, {"unsafe_metadata", req.UnsafeMetadata, nil}}
	for i := range fields {
		f := &fields[i]
		if len(f.raw) == 0 {
			continue
		}
		if string(bytes.TrimSpace(f.raw)) == "null" {
			f.val = map[string]any{}
			continue
		}
		if err := json.Unmarshal(f.raw, &f.val); err != nil || f.val == nil {
			s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_param_format_invalid", f.name,
				"is invalid", f.name+" must be a JSON object."))
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	su, ok := s.users.byID[id]
	if !ok {
		s.writeAPIError(w, notFound(id))
		return
	}
	u := cloneJSON(su.u)
	dsts := []*map[string]any{&u.PublicMetadata, &u.PrivateMetadata, &u.UnsafeMetadata}
	for i, f := range fields {
		if f.val == nil {
			continue
		}
		if merge {
			*dsts[i] = deepMerge(*dsts[i], f.val)
		} else {
			*dsts[i] = f.val
		}
	}
	u.UpdatedAt = max(ms(s.clock()), u.UpdatedAt)
	u.normalize()
	su.u = u
	s.writeJSON(w, http.StatusOK, cloneJSON(u))
}

// deepMerge merges patch into dst: nested objects merge, null removes.
func deepMerge(dst, patch map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(dst, k)
		case map[string]any:
			if dv, ok := dst[k].(map[string]any); ok {
				dst[k] = deepMerge(dv, pv)
			} else {
				dst[k] = deepMerge(nil, pv)
			}
		default:
			dst[k] = v
		}
	}
	return dst
}

// listQuery is a parsed user filter (GET /v1/users and /v1/users/count).
type listQuery struct {
	ids, emails, phones, usernames, externalIDs, wallets idFilter
	orgs                                                 idFilter
	query, emailQ, phoneQ, usernameQ, nameQ              string
	banned                                               *bool
	ranges                                               []timeRange
}

type idFilter struct {
	include, exclude []string
	set              bool
}

type timeRange struct {
	field  func(*User) *int64
	before bool
	at     int64
}

const maxFilterValues = 100

func parseIDFilter(q url.Values, param string, signed bool) (idFilter, *apiError) {
	vals := q[param]
	var f idFilter
	if len(vals) > maxFilterValues {
		return f, paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", param, "is invalid",
			fmt.Sprintf("%s accepts up to %d values.", param, maxFilterValues))
	}
	for _, v := range vals {
		f.set = true
		switch {
		case signed && strings.HasPrefix(v, "-"):
			f.exclude = append(f.exclude, v[1:])
		case signed && strings.HasPrefix(v, "+"):
			f.include = append(f.include, v[1:])
		default:
			f.include = append(f.include, v)
		}
	}
	return f, nil
}

// match reports whether a user whose values are vals passes the filter.
func (f idFilter) match(vals []string, fold bool) bool {
	eq := func(a, b string) bool {
		if fold {
			return strings.EqualFold(a, b)
		}
		return a == b
	}
	for _, x := range f.exclude {
		for _, v := range vals {
			if eq(v, x) {
				return false
			}
		}
	}
	if len(f.include) == 0 {
		return true
	}
	for _, x := range f.include {
		for _, v := range vals {
			if eq(v, x) {
				return true
			}
		}
	}
	return false
}

func parseListQuery(q url.Values) (listQuery, *apiError) {
	var lq listQuery
	var e *apiError
	for _, f := range []struct {
		dst    *idFilter
		param  string
		signed bool
	}{
		{&lq.ids, "user_id", true},
		{&lq.emails, "email_address", false},
		{&lq.phones, "phone_number", false},
		{&lq.usernames, "username", false},
		{&lq.externalIDs, "external_id", true},
		{&lq.wallets, "web3_wallet", false},
		{&lq.orgs, "organization_id", true},
	} {
		if *f.dst, e = parseIDFilter(q, f.param, f.signed); e != nil {
			return lq, e
		}
	}
	lq.query = strings.ToLower(q.Get("query"))
	lq.emailQ = strings.ToLower(q.Get("email_address_query"))
	lq.phoneQ = strings.ToLower(q.Get("phone_number_query"))
	lq.usernameQ = strings.ToLower(q.Get("username_query"))
	lq.nameQ = strings.ToLower(q.Get("name_query"))
	if v := q.Get("banned"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return lq, paramError(http.StatusUnprocessableEntity, "form_param_format_invalid", "banned", "is invalid", "banned must be true or false.")
		}
		lq.banned = &b
	}
	created := func(u *User) *int64 { return &u.CreatedAt }
	lastActive := func(u *User) *int64 { return u.LastActiveAt }
	lastSignIn := func(u *User) *int64 { return u.LastSignInAt }
	for _, tr := range []struct {
		param  string
		field  func(*User) *int64
		before bool
	}{
		{"created_at_before", created, true},
		{"created_at_after", created, false},
		{"last_active_at_before", lastActive, true},
		{"last_active_at_after", lastActive, false},
		{"last_active_at_since", lastActive, false},
		{"last_sign_in_at_before", lastSignIn, true},
		{"last_sign_in_at_after", lastSignIn, false},
	} {
		v := q.Get(tr.param)
		if v == "" {
			continue
		}
		at, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return lq, paramError(http.StatusUnprocessableEntity, "form_param_format_invalid", tr.param, "is invalid", tr.param+" must be an integer (Unix milliseconds).")
		}
		lq.ranges = append(lq.ranges, timeRange{field: tr.field, before: tr.before, at: at})
	}
	return lq, nil
}

func (lq listQuery) match(u *User) bool {
	emails := make([]string, len(u.EmailAddresses))
	for i, e := range u.EmailAddresses {
		emails[i] = e.EmailAddress
	}
	phones := make([]string, len(u.PhoneNumbers))
	for i, p := range u.PhoneNumbers {
		phones[i] = p.PhoneNumber
	}
	wallets := make([]string, len(u.Web3Wallets))
	for i, w := range u.Web3Wallets {
		wallets[i] = w.Web3Wallet
	}
	var usernames, externalIDs []string
	if u.Username != nil {
		usernames = []string{*u.Username}
	}
	if u.ExternalID != nil {
		externalIDs = []string{*u.ExternalID}
	}
	if !lq.ids.match([]string{u.ID}, false) || !lq.emails.match(emails, true) || !lq.phones.match(phones, false) ||
		!lq.usernames.match(usernames, true) || !lq.externalIDs.match(externalIDs, false) ||
		!lq.wallets.match(wallets, true) || !lq.orgs.match(orgIDs(u), false) {
		return false
	}
	contains := func(sub string, vals ...string) bool {
		for _, v := range vals {
			if strings.Contains(strings.ToLower(v), sub) {
				return true
			}
		}
		return false
	}
	names := []string{deref(u.FirstName), deref(u.LastName), strings.TrimSpace(deref(u.FirstName) + " " + deref(u.LastName))}
	if lq.query != "" {
		all := append(append(append(append([]string{u.ID}, emails...), phones...), wallets...), usernames...)
		if !contains(lq.query, append(all, names...)...) {
			return false
		}
	}
	if (lq.emailQ != "" && !contains(lq.emailQ, emails...)) ||
		(lq.phoneQ != "" && !contains(lq.phoneQ, phones...)) ||
		(lq.usernameQ != "" && !contains(lq.usernameQ, usernames...)) ||
		(lq.nameQ != "" && !contains(lq.nameQ, names...)) {
		return false
	}
	if lq.banned != nil && u.Banned != *lq.banned {
		return false
	}
	for _, tr := range lq.ranges {
		v := tr.field(u)
		if v == nil || (tr.before && *v >= tr.at) || (!tr.before && *v <= tr.at) {
			return false
		}
	}
	return true
}

// orgIDs returns the organization IDs of the user's memberships (set with
// [Server.ModifyUser]), read loosely from {"organization":{"id":...}}.
func orgIDs(u *User) []string {
	var ids []string
	for _, m := range u.OrganizationMemberships {
		if mm, ok := m.(map[string]any); ok {
			if org, ok := mm["organization"].(map[string]any); ok {
				if id, ok := org["id"].(string); ok {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

var orderFields = map[string]func(a, b *storedUser) int{
	"created_at": func(a, b *storedUser) int { return cmp.Compare(a.u.CreatedAt, b.u.CreatedAt) },
	"updated_at": func(a, b *storedUser) int { return cmp.Compare(a.u.UpdatedAt, b.u.UpdatedAt) },
	"first_name": func(a, b *storedUser) int { return strings.Compare(deref(a.u.FirstName), deref(b.u.FirstName)) },
	"last_name":  func(a, b *storedUser) int { return strings.Compare(deref(a.u.LastName), deref(b.u.LastName)) },
	"username":   func(a, b *storedUser) int { return strings.Compare(deref(a.u.Username), deref(b.u.Username)) },
	"email_address": func(a, b *storedUser) int {
		return strings.Compare(a.u.PrimaryEmail(), b.u.PrimaryEmail())
	},
	"phone_number": func(a, b *storedUser) int { return strings.Compare(primaryPhone(&a.u), primaryPhone(&b.u)) },
	"web3wallet":   func(a, b *storedUser) int { return strings.Compare(primaryWallet(&a.u), primaryWallet(&b.u)) },
	"last_active_at": func(a, b *storedUser) int {
		return cmp.Compare(deref(a.u.LastActiveAt), deref(b.u.LastActiveAt))
	},
	"last_sign_in_at": func(a, b *storedUser) int {
		return cmp.Compare(deref(a.u.LastSignInAt), deref(b.u.LastSignInAt))
	},
}

func primaryPhone(u *User) string {
	for _, p := range u.PhoneNumbers {
		if u.PrimaryPhoneNumberID != nil && p.ID == *u.PrimaryPhoneNumberID {
			return p.PhoneNumber
		}
	}
	return ""
}

func primaryWallet(u *User) string {
	for _, w := range u.Web3Wallets {
		if u.PrimaryWeb3WalletID != nil && w.ID == *u.PrimaryWeb3WalletID {
			return w.Web3Wallet
		}
	}
	return ""
}

func intParam(q url.Values, name string, def, lo, hi int) (int, *apiError) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, paramError(http.StatusUnprocessableEntity, "form_param_format_invalid", name, "is invalid", name+" must be an integer.")
	}
	if n < lo || n > hi {
		return 0, paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", name, "is invalid",
			fmt.Sprintf("%s must be between %d and %d.", name, lo, hi))
	}
	return n, nil
}

// filteredLocked returns the users matching q, sorted by its order_by.
// s.mu must be held.
func (s *Server) filteredLocked(q url.Values) ([]*storedUser, string, *apiError) {
	lq, e := parseListQuery(q)
	if e != nil {
		return nil, "", e
	}
	order := "-created_at"
	if vs := q["order_by"]; len(vs) > 0 && vs[0] != "" {
		order = vs[0] // Clerk keeps only the first order_by
	}
	field, desc := strings.TrimPrefix(order, "+"), false
	if f, ok := strings.CutPrefix(field, "-"); ok {
		field, desc = f, true
	}
	byField, ok := orderFields[field]
	if !ok {
		return nil, "", paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", "order_by", "is invalid",
			"order_by "+order+" is not supported.")
	}
	all := s.sortedLocked(func(a, b *storedUser) int {
		c := cmp.Or(byField(a, b), cmp.Compare(a.seq, b.seq))
		if desc {
			return -c
		}
		return c
	})
	out := all[:0]
	for _, su := range all {
		if lq.match(&su.u) {
			out = append(out, su)
		}
	}
	return out, field, nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, e := intParam(q, "limit", 10, 1, 500)
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	offset, e := intParam(q, "offset", 0, 0, 1<<31-1)
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	s.mu.Lock()
	users, field, e := s.filteredLocked(q)
	if e == nil {
		if after := q.Get("starting_after"); after != "" {
			switch {
			case field != "created_at":
				e = paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", "starting_after", "is invalid",
					"starting_after requires ordering by created_at.")
			case offset != 0:
				e = paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", "starting_after", "is invalid",
					"starting_after cannot be combined with a non-zero offset.")
			default:
				i := 0
				for i < len(users) && users[i].u.ID != after {
					i++
				}
				users = users[min(i+1, len(users)):]
			}
		}
	}
	var page []User
	if e == nil {
		start := min(offset, len(users))
		end := min(start+limit, len(users))
		page = make([]User, 0, end-start)
		for _, su := range users[start:end] {
			page = append(page, su.u)
		}
		page = cloneJSON(page)
	}
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	s.writeJSON(w, http.StatusOK, page)
}

func (s *Server) countUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	q.Del("order_by") // counting has no order
	s.mu.Lock()
	users, _, e := s.filteredLocked(q)
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	s.writeJSON(w, http.StatusOK, TotalCount{Object: "total_count", TotalCount: len(users)})
}
