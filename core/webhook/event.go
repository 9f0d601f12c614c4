package webhook

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core/bapi"
)

// Event is a verified Clerk webhook event: the envelope of the JSON
// payload, with the delivery's message id and timestamp from its headers.
// Data stays raw JSON; [Event.Decode] turns it into the type of the event.
type Event struct {
	// MessageID is the delivery's svix-id (or webhook-id), such as
	// msg_2Lh9KRb0pzN4LePd3XiA4bHjxcx. It is the same on every retry of the
	// event, so it is the key to deduplicate by.
	MessageID string `json:"-"`
	// SignedAt is the delivery's svix-timestamp: when this attempt was
	// signed (a retry has a later one).
	SignedAt time.Time `json:"-"`

	// Type is the event type, such as "user.created" ([UserCreated]).
	Type string `json:"type"`
	// Object is always "event".
	Object string `json:"object"`
	// Timestamp is when the event occurred, in milliseconds since the
	// Unix epoch.
	Timestamp int64 `json:"timestamp"`
	// InstanceID is the Clerk instance the event belongs to (ins_...).
	InstanceID string `json:"instance_id"`
	// Data is the event's object (a user, a session, ...), as raw JSON.
	Data json.RawMessage `json:"data"`
	// Attributes holds Clerk's event_attributes, when the payload has them.
	Attributes *EventAttributes `json:"event_attributes,omitempty"`
}

// EventAttributes is the event_attributes member of an event: where the
// request that caused the event came from.
type EventAttributes struct {
	// HTTPRequest describes the request, when there was one.
	HTTPRequest *HTTPRequestAttributes `json:"http_request,omitempty"`
}

// HTTPRequestAttributes describes the request that caused an event.
type HTTPRequestAttributes struct {
	// ClientIP is the client's IP address.
	ClientIP string `json:"client_ip"`
	// UserAgent is the client's User-Agent header.
	UserAgent string `json:"user_agent"`
}

// decodeEvent decodes and checks the envelope of a verified body.
func decodeEvent(body []byte) (*Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, newError(ReasonPayloadInvalid, err)
	}
	if ev.Type == "" {
		return nil, newError(ReasonPayloadInvalid, errNoType)
	}
	return &ev, nil
}

// The event types whose data [Event.Decode] knows, by Clerk's names.
const (
	UserCreated = "user.created" // *bapi.User
	UserUpdated = "user.updated" // *bapi.User
	UserDeleted = "user.deleted" // *bapi.DeletedObject

	SessionCreated = "session.created" // *Session
	SessionPending = "session.pending" // *Session
	SessionEnded   = "session.ended"   // *Session
	SessionRemoved = "session.removed" // *Session
	SessionRevoked = "session.revoked" // *Session

	OrganizationCreated = "organization.created" // *bapi.Organization
	OrganizationUpdated = "organization.updated" // *bapi.Organization
	OrganizationDeleted = "organization.deleted" // *bapi.DeletedObject

	OrganizationDomainCreated = "organizationDomain.created" // *bapi.OrganizationDomain
	OrganizationDomainUpdated = "organizationDomain.updated" // *bapi.OrganizationDomain
	OrganizationDomainDeleted = "organizationDomain.deleted" // *bapi.DeletedObject

	OrganizationMembershipCreated = "organizationMembership.created" // *bapi.OrganizationMembership
	OrganizationMembershipUpdated = "organizationMembership.updated" // *bapi.OrganizationMembership
	OrganizationMembershipDeleted = "organizationMembership.deleted" // *bapi.OrganizationMembership (the whole membership)

	OrganizationInvitationCreated  = "organizationInvitation.created"  // *OrganizationInvitation
	OrganizationInvitationAccepted = "organizationInvitation.accepted" // *OrganizationInvitation
	OrganizationInvitationRevoked  = "organizationInvitation.revoked"  // *OrganizationInvitation

	RoleCreated = "role.created" // *bapi.Role
	RoleUpdated = "role.updated" // *bapi.Role
	RoleDeleted = "role.deleted" // *bapi.DeletedObject

	PermissionCreated = "permission.created" // *bapi.Permission
	PermissionUpdated = "permission.updated" // *bapi.Permission
	PermissionDeleted = "permission.deleted" // *bapi.DeletedObject

	EmailCreated = "email.created" // *Email
	SMSCreated   = "sms.created"   // *SMSMessage

	WaitlistEntryCreated = "waitlistEntry.created" // *bapi.WaitlistEntry
	WaitlistEntryUpdated = "waitlistEntry.updated" // *bapi.WaitlistEntry
)

// Session is the data of the session.* events: Clerk's Session object and
// the session's user.
type Session struct {
	bapi.Session
	// User is the session's user, or nil when Clerk sends none.
	User *bapi.User `json:"user"`
}

// OrganizationInvitation is the data of the organizationInvitation.* events:
// Clerk's OrganizationInvitation object with its public organization data,
// and the user who accepted it.
type OrganizationInvitation struct {
	bapi.OrganizationInvitationWithPublicOrganizationData
	// UserID is the user who accepted the invitation
	// (organizationInvitation.accepted only).
	UserID *string `json:"user_id,omitempty"`
}

// Email is the data of email.created: an email Clerk sends (or, with
// delivered_by_clerk false, asks you to send).
type Email struct {
	// Object is "email".
	Object string `json:"object"`
	// ID is the email's id.
	ID string `json:"id"`
	// Slug names the email template, such as "verification_code".
	Slug *string `json:"slug,omitempty"`
	// FromEmailName is the local part of the sender address.
	FromEmailName string `json:"from_email_name"`
	// ReplyToEmailName is the local part of the reply-to address.
	ReplyToEmailName *string `json:"reply_to_email_name,omitempty"`
	// ToEmailAddress is the recipient.
	ToEmailAddress string `json:"to_email_address,omitempty"`
	// EmailAddressID is the recipient's email address object, if any.
	EmailAddressID *string `json:"email_address_id,omitempty"`
	// UserID is the recipient user, if any.
	UserID *string `json:"user_id,omitempty"`
	// Subject is the subject line.
	Subject string `json:"subject,omitempty"`
	// Body is the HTML body.
	Body string `json:"body,omitempty"`
	// BodyPlain is the plain-text body, if any.
	BodyPlain *string `json:"body_plain,omitempty"`
	// Status is the delivery status, such as "queued".
	Status string `json:"status,omitempty"`
	// Data holds the template's variables.
	Data map[string]any `json:"data,omitempty"`
	// DeliveredByClerk is false when you deliver the email yourself.
	DeliveredByClerk bool `json:"delivered_by_clerk"`
}

// SMSMessage is the data of sms.created: a text message Clerk sends (or,
// with delivered_by_clerk false, asks you to send).
type SMSMessage struct {
	// Object is "sms_message".
	Object string `json:"object"`
	// ID is the message's id.
	ID string `json:"id"`
	// Slug names the message template, such as "verification_code".
	Slug *string `json:"slug,omitempty"`
	// FromPhoneNumber is the sender number.
	FromPhoneNumber string `json:"from_phone_number"`
	// ToPhoneNumber is the recipient number.
	ToPhoneNumber string `json:"to_phone_number"`
	// PhoneNumberID is the recipient's phone number object, if any.
	PhoneNumberID *string `json:"phone_number_id,omitempty"`
	// UserID is the recipient user, if any.
	UserID *string `json:"user_id,omitempty"`
	// Message is the text.
	Message string `json:"message"`
	// Status is the delivery status, such as "queued".
	Status string `json:"status"`
	// Data holds the template's variables.
	Data map[string]any `json:"data,omitempty"`
	// DeliveredByClerk is false when you deliver the message yourself.
	DeliveredByClerk bool `json:"delivered_by_clerk"`
}

// newData returns a pointer to a new value of the data type of an event
// type, or nil for a type it does not know.
func newData(typ string) any {
	switch typ {
	case UserCreated, UserUpdated, UserDeleted:
		return new(bapi.User)
	case SessionCreated, SessionPending, SessionEnded, SessionRemoved, SessionRevoked:
		return new(Session)
	case OrganizationCreated, OrganizationUpdated, OrganizationDeleted:
		return new(bapi.Organization)
	case OrganizationDomainCreated, OrganizationDomainUpdated, OrganizationDomainDeleted:
		return new(bapi.OrganizationDomain)
	case OrganizationMembershipCreated, OrganizationMembershipUpdated, OrganizationMembershipDeleted:
		return new(bapi.OrganizationMembership)
	case OrganizationInvitationCreated, OrganizationInvitationAccepted, OrganizationInvitationRevoked:
		return new(OrganizationInvitation)
	case RoleCreated, RoleUpdated, RoleDeleted:
		return new(bapi.Role)
	case PermissionCreated, PermissionUpdated, PermissionDeleted:
		return new(bapi.Permission)
	case EmailCreated:
		return new(Email)
	case SMSCreated:
		return new(SMSMessage)
	case WaitlistEntryCreated, WaitlistEntryUpdated:
		return new(bapi.WaitlistEntry)
	}
	return nil
}

// Decode decodes Data into the type of the event:
//
//   - user.created, user.updated: *bapi.User
//   - session.*: *[Session]
//   - organization.created, .updated: *bapi.Organization
//   - organizationDomain.created, .updated: *bapi.OrganizationDomain
//   - organizationMembership.*: *bapi.OrganizationMembership
//   - organizationInvitation.*: *[OrganizationInvitation]
//   - role.created, .updated: *bapi.Role
//   - permission.created, .updated: *bapi.Permission
//   - email.created: *[Email]; sms.created: *[SMSMessage]
//   - waitlistEntry.*: *bapi.WaitlistEntry
//   - a *.deleted event whose data is Clerk's smaller deleted shape
//     ({"object":"user","id":"user_...","deleted":true}): *bapi.DeletedObject
//   - any other type (billing events, types newer than this package): the
//     raw Data as a json.RawMessage, with no error.
//
// Data that is not a JSON object of that type is an [*Error] with reason
// [ReasonPayloadInvalid]; Decode never panics.
func (e *Event) Decode() (any, error) {
	if e == nil {
		return nil, newError(ReasonPayloadInvalid, errNoData)
	}
	v := newData(e.Type)
	if v == nil {
		return e.Data, nil
	}
	data := bytes.TrimLeft(e.Data, " \t\r\n")
	if len(data) == 0 || data[0] != '{' {
		return nil, newError(ReasonPayloadInvalid, errNoData)
	}
	if strings.HasSuffix(e.Type, ".deleted") {
		var probe struct {
			Deleted bool `json:"deleted"`
		}
		if err := json.Unmarshal(data, &probe); err != nil {
			return nil, newError(ReasonPayloadInvalid, err)
		}
		if probe.Deleted {
			v = new(bapi.DeletedObject)
		}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, newError(ReasonPayloadInvalid, err)
	}
	return v, nil
}
