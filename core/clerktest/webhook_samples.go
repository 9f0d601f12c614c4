package clerktest

import (
	"bytes"
	"encoding/json"
	"strings"
)

// SampleWebhookTypes returns the event types [SampleWebhookData] has a
// sample for: every type whose data the webhook package decodes into a
// typed value, in a stable order. The slice is new on every call.
func SampleWebhookTypes() []string {
	samples := webhookSamples()
	types := make([]string, len(samples))
	for i, s := range samples {
		types[i] = s.typ
	}
	return types
}

// SampleWebhookData returns a sample data object of the event type, shaped
// like the data Clerk sends (the ids are fixed, fake ones), and false for a
// type with no sample. Wrap it with [WebhookPayload], or sign it at once
// with [WebhookSigner.SignEvent]. The result is a new slice on every call.
func SampleWebhookData(eventType string) (json.RawMessage, bool) {
	for _, s := range webhookSamples() {
		if s.typ == eventType {
			return json.RawMessage(compactSample(s.data)), true
		}
	}
	return nil, false
}

// compactSample removes the indentation of a sample.
func compactSample(s string) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		panic("clerktest: invalid webhook sample: " + err.Error()) // a bug in the samples
	}
	return b.Bytes()
}

type webhookSample struct{ typ, data string }

// webhookSamples returns the samples of data, one per event type. Ids are
// fixed so that tests can assert on them. (A function, not a variable: the
// package keeps no mutable state.)
func webhookSamples() []webhookSample {
	return []webhookSample{
		{"user.created", sampleUser},
		{"user.updated", strings.Replace(sampleUser, `"updated_at": 1716883200000`, `"updated_at": 1716883500000`, 1)},
		{"user.deleted", `{"object": "user", "id": "user_2sampleUser00000000000000", "deleted": true, "external_id": "ext_123"}`},
		{"session.created", sampleSession("active")},
		{"session.pending", sampleSession("pending")},
		{"session.ended", sampleSession("ended")},
		{"session.removed", sampleSession("removed")},
		{"session.revoked", sampleSession("revoked")},
		{"organization.created", sampleOrganization},
		{"organization.updated", sampleOrganization},
		{"organization.deleted", `{"object": "organization", "id": "org_2sampleOrg000000000000000", "deleted": true}`},
		{"organizationDomain.created", sampleOrganizationDomain},
		{"organizationDomain.updated", sampleOrganizationDomain},
		{"organizationDomain.deleted", `{"object": "organization_domain", "id": "orgdmn_2sampleDomain0000000000", "deleted": true}`},
		{"organizationMembership.created", sampleMembership},
		{"organizationMembership.updated", sampleMembership},
		{"organizationMembership.deleted", sampleMembership},
		{"organizationInvitation.created", sampleInvitation("pending", "")},
		{"organizationInvitation.accepted", sampleInvitation("accepted", `"user_id": "user_2sampleUser00000000000000",`)},
		{"organizationInvitation.revoked", sampleInvitation("revoked", "")},
		{"role.created", sampleRole},
		{"role.updated", sampleRole},
		{"role.deleted", `{"object": "role", "id": "role_2sampleRole00000000000000", "slug": null, "deleted": true}`},
		{"permission.created", samplePermission},
		{"permission.updated", samplePermission},
		{"permission.deleted", `{"object": "permission", "id": "perm_2samplePermission00000000", "deleted": true}`},
		{"email.created", sampleEmail},
		{"sms.created", sampleSMS},
		{"waitlistEntry.created", sampleWaitlistEntry},
		{"waitlistEntry.updated", sampleWaitlistEntry},
	}
}

const sampleUser = `{
	"object": "user",
	"id": "user_2sampleUser00000000000000",
	"external_id": null,
	"primary_email_address_id": "idn_2sampleEmail0000000000000",
	"primary_phone_number_id": null,
	"primary_web3_wallet_id": null,
	"username": null,
	"first_name": "Ada",
	"last_name": "Lovelace",
	"image_url": "https://img.clerk.com/sample",
	"has_image": false,
	"public_metadata": {"plan": "pro"},
	"private_metadata": {},
	"unsafe_metadata": {},
	"email_addresses": [{
		"object": "email_address",
		"id": "idn_2sampleEmail0000000000000",
		"email_address": "ada@example.com",
		"reserved": false,
		"verification": {"object": "verification_from_oauth", "status": "verified", "strategy": "email_code", "attempts": null, "expire_at": null},
		"linked_to": [],
		"created_at": 1716883200000,
		"updated_at": 1716883200000
	}],
	"phone_numbers": [],
	"web3_wallets": [],
	"passkeys": [],
	"password_enabled": true,
	"two_factor_enabled": false,
	"totp_enabled": false,
	"backup_code_enabled": false,
	"mfa_enabled_at": null,
	"mfa_disabled_at": null,
	"external_accounts": [],
	"saml_accounts": [],
	"enterprise_accounts": [],
	"last_sign_in_at": null,
	"banned": false,
	"locked": false,
	"lockout_expires_in_seconds": null,
	"verification_attempts_remaining": 100,
	"delete_self_enabled": true,
	"create_organization_enabled": true,
	"last_active_at": 1716883200000,
	"legal_accepted_at": null,
	"birthday": "",
	"gender": "",
	"created_at": 1716883200000,
	"updated_at": 1716883200000
}`

func sampleSession(status string) string {
	return `{
	"object": "session",
	"id": "sess_2sampleSession000000000000",
	"client_id": "client_2sampleClient0000000000",
	"user_id": "user_2sampleUser00000000000000",
	"status": "` + status + `",
	"last_active_organization_id": null,
	"actor": null,
	"last_active_at": 1716883200000,
	"latest_activity": {"object": "session_activity", "id": "sess_activity_2sample000000000", "device_type": "Macintosh", "is_mobile": false, "browser_name": "Chrome", "browser_version": "128.0.0.0", "ip_address": "192.0.2.1", "city": "Paris", "country": "FR"},
	"expire_at": 1717488000000,
	"abandon_at": 1719475200000,
	"created_at": 1716883200000,
	"updated_at": 1716883200000,
	"user": ` + sampleUser + `
}`
}

const sampleOrganization = `{
	"object": "organization",
	"id": "org_2sampleOrg000000000000000",
	"name": "Acme",
	"slug": "acme",
	"image_url": "https://img.clerk.com/sample-org",
	"has_image": false,
	"members_count": 1,
	"pending_invitations_count": 0,
	"max_allowed_memberships": 5,
	"admin_delete_enabled": true,
	"public_metadata": {},
	"private_metadata": {},
	"created_by": "user_2sampleUser00000000000000",
	"created_at": 1716883200000,
	"updated_at": 1716883200000
}`

const sampleOrganizationDomain = `{
	"object": "organization_domain",
	"id": "orgdmn_2sampleDomain0000000000",
	"organization_id": "org_2sampleOrg000000000000000",
	"name": "acme.example",
	"enrollment_mode": "automatic_invitation",
	"affiliation_email_address": "ada@acme.example",
	"verification": {"status": "verified", "strategy": "email_code", "attempts": 1, "expire_at": 1716883800000},
	"total_pending_invitations": 0,
	"total_pending_suggestions": 0,
	"created_at": 1716883200000,
	"updated_at": 1716883200000
}`

const sampleMembership = `{
	"object": "organization_membership",
	"id": "orgmem_2sampleMembership000000",
	"role": "org:admin",
	"role_name": "Admin",
	"permissions": ["org:sys_memberships:manage", "org:sys_profile:manage"],
	"public_metadata": {},
	"private_metadata": {},
	"organization": ` + sampleOrganization + `,
	"public_user_data": {
		"user_id": "user_2sampleUser00000000000000",
		"first_name": "Ada",
		"last_name": "Lovelace",
		"image_url": "https://img.clerk.com/sample",
		"has_image": false,
		"identifier": "ada@example.com"
	},
	"created_at": 1716883200000,
	"updated_at": 1716883200000
}`

func sampleInvitation(status, extra string) string {
	return `{
	"object": "organization_invitation",
	"id": "orginv_2sampleInvitation000000",
	"email_address": "grace@example.com",
	"role": "org:member",
	"role_name": "Member",
	"organization_id": "org_2sampleOrg000000000000000",
	"status": "` + status + `",` + extra + `
	"public_metadata": {},
	"private_metadata": {},
	"public_organization_data": {"id": "org_2sampleOrg000000000000000", "name": "Acme", "slug": "acme", "image_url": "https://img.clerk.com/sample-org", "has_image": false},
	"url": null,
	"expires_at": 1717488000000,
	"created_at": 1716883200000,
	"updated_at": 1716883200000
}`
}

const samplePermission = `{
	"object": "permission",
	"id": "perm_2samplePermission00000000",
	"name": "Manage articles",
	"key": "org:articles:manage",
	"description": "Create, edit and delete articles",
	"type": "user",
	"created_at": 1716883200000,
	"updated_at": 1716883200000
}`

const sampleRole = `{
	"object": "role",
	"id": "role_2sampleRole00000000000000",
	"name": "Editor",
	"key": "org:editor",
	"description": "Edits articles",
	"is_creator_eligible": false,
	"permissions": [` + samplePermission + `],
	"created_at": 1716883200000,
	"updated_at": 1716883200000
}`

const sampleEmail = `{
	"object": "email",
	"id": "ema_2sampleEmailMessage0000000",
	"slug": "verification_code",
	"from_email_name": "notifications",
	"reply_to_email_name": null,
	"to_email_address": "ada@example.com",
	"email_address_id": "idn_2sampleEmail0000000000000",
	"user_id": "user_2sampleUser00000000000000",
	"subject": "123456 is your verification code",
	"body": "<p>123456 is your verification code</p>",
	"body_plain": "123456 is your verification code",
	"status": "queued",
	"data": {"otp_code": "123456", "app": {"name": "Acme"}},
	"delivered_by_clerk": true
}`

const sampleSMS = `{
	"object": "sms_message",
	"id": "sms_2sampleSMS000000000000000",
	"slug": "verification_code",
	"from_phone_number": "+15555550100",
	"to_phone_number": "+15555550199",
	"phone_number_id": "idn_2samplePhone0000000000000",
	"user_id": "user_2sampleUser00000000000000",
	"message": "123456 is your verification code",
	"status": "queued",
	"data": {"otp_code": "123456"},
	"delivered_by_clerk": true
}`

const sampleWaitlistEntry = `{
	"object": "waitlist_entry",
	"id": "wle_2sampleWaitlist000000000000",
	"email_address": "grace@example.com",
	"status": "pending",
	"is_locked": false,
	"invitation": null,
	"created_at": 1716883200000,
	"updated_at": 1716883200000
}`
