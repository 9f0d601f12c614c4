package bapi

import "strings"

// DisplayName returns a name to show for the user, for greetings and
// logs of the app's own: the first and last name (either alone when the
// other is missing), else the username, else the primary email address,
// else the ID. It never panics: every name field may be nil (a user who
// signed up with an email address alone has no first name), and a nil
// *User (no user fetched, as with FetchUser(false)) gives "".
func (u *User) DisplayName() string {
	if u == nil {
		return ""
	}
	if name := strings.TrimSpace(strings.TrimSpace(deref(u.FirstName)) + " " + strings.TrimSpace(deref(u.LastName))); name != "" {
		return name
	}
	if name := strings.TrimSpace(deref(u.Username)); name != "" {
		return name
	}
	if email := u.PrimaryEmail(); email != "" {
		return email
	}
	return u.ID
}

// PrimaryEmail returns the user's primary email address: the entry of
// EmailAddresses whose ID is PrimaryEmailAddressID. It returns "" when
// there is none, and for a nil *User.
func (u *User) PrimaryEmail() string {
	if u == nil || u.PrimaryEmailAddressID == nil {
		return ""
	}
	for _, e := range u.EmailAddresses {
		if e.ID != nil && *e.ID == *u.PrimaryEmailAddressID {
			return e.EmailAddress
		}
	}
	return ""
}

// deref is the string a pointer points to, or "".
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
