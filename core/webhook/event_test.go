package webhook_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

func TestDecodeSamples(t *testing.T) {
	want := map[string]any{
		webhook.UserCreated:                    &bapi.User{},
		webhook.UserUpdated:                    &bapi.User{},
		webhook.UserDeleted:                    &bapi.DeletedObject{},
		webhook.SessionCreated:                 &webhook.Session{},
		webhook.SessionPending:                 &webhook.Session{},
		webhook.SessionEnded:                   &webhook.Session{},
		webhook.SessionRemoved:                 &webhook.Session{},
		webhook.SessionRevoked:                 &webhook.Session{},
		webhook.OrganizationCreated:            &bapi.Organization{},
		webhook.OrganizationUpdated:            &bapi.Organization{},
		webhook.OrganizationDeleted:            &bapi.DeletedObject{},
		webhook.OrganizationDomainCreated:      &bapi.OrganizationDomain{},
		webhook.OrganizationDomainUpdated:      &bapi.OrganizationDomain{},
		webhook.OrganizationDomainDeleted:      &bapi.DeletedObject{},
		webhook.OrganizationMembershipCreated:  &bapi.OrganizationMembership{},
		webhook.OrganizationMembershipUpdated:  &bapi.OrganizationMembership{},
		webhook.OrganizationMembershipDeleted:  &bapi.OrganizationMembership{},
		webhook.OrganizationInvitationCreated:  &webhook.OrganizationInvitation{},
		webhook.OrganizationInvitationAccepted: &webhook.OrganizationInvitation{},
		webhook.OrganizationInvitationRevoked:  &webhook.OrganizationInvitation{},
		webhook.RoleCreated:                    &bapi.Role{},
		webhook.RoleUpdated:                    &bapi.Role{},
		webhook.RoleDeleted:                    &bapi.DeletedObject{},
		webhook.PermissionCreated:              &bapi.Permission{},
		webhook.PermissionUpdated:              &bapi.Permission{},
		webhook.PermissionDeleted:              &bapi.DeletedObject{},
		webhook.EmailCreated:                   &webhook.Email{},
		webhook.SMSCreated:                     &webhook.SMSMessage{},
		webhook.WaitlistEntryCreated:           &bapi.WaitlistEntry{},
		webhook.WaitlistEntryUpdated:           &bapi.WaitlistEntry{},
	}
	f := newFixture(t)
	types := clerktest.SampleWebhookTypes()
	if len(types) != len(want) {
		t.Errorf("%d sample types, %d typed event types", len(types), len(want))
	}
	for _, typ := range types {
		t.Run(typ, func(t *testing.T) {
			d := f.sample(t, typ)
			ev, err := f.v.Verify(d.Header().Get, d.Body)
			if err != nil {
				t.Fatal(err)
			}
			data, err := ev.Decode()
			if err != nil {
				t.Fatal(err)
			}
			if w, ok := want[typ]; !ok || reflect.TypeOf(data) != reflect.TypeOf(w) {
				t.Fatalf("Decode() is a %T, want %T", data, want[typ])
			}
			// Every sample carries its object's id and kind.
			var id, object string
			switch d := data.(type) {
			case *bapi.User:
				id, object = d.ID, d.Object
				if *d.FirstName != "Ada" || d.EmailAddresses[0].EmailAddress != "ada@example.com" || d.PublicMetadata["plan"] != "pro" {
					t.Errorf("user: %+v", d)
				}
			case *bapi.DeletedObject:
				id, object = *d.ID, d.Object
				if !d.Deleted {
					t.Error("deleted: false")
				}
			case *webhook.Session:
				id, object = d.ID, d.Object
				if d.User == nil || d.User.ID != d.UserID || d.Status != strings.TrimPrefix(typ, "session.") && typ != webhook.SessionCreated {
					t.Errorf("session: status %q, user %v", d.Status, d.User)
				}
			case *bapi.Organization:
				id, object = d.ID, d.Object
			case *bapi.OrganizationDomain:
				id, object = d.ID, d.Object
			case *bapi.OrganizationMembership:
				id, object = d.ID, d.Object
				if d.Organization.ID == "" || d.PublicUserData == nil || d.PublicUserData.UserID == "" {
					t.Errorf("membership: %+v", d)
				}
			case *webhook.OrganizationInvitation:
				id, object = d.ID, d.Object
				if (typ == webhook.OrganizationInvitationAccepted) != (d.UserID != nil) || d.PublicOrganizationData == nil {
					t.Errorf("invitation: user %v, organization %v", d.UserID, d.PublicOrganizationData)
				}
			case *bapi.Role:
				id, object = d.ID, d.Object
				if len(d.Permissions) != 1 {
					t.Errorf("role permissions: %+v", d.Permissions)
				}
			case *bapi.Permission:
				id, object = d.ID, d.Object
			case *webhook.Email:
				id, object = d.ID, d.Object
				if !d.DeliveredByClerk || d.Data["otp_code"] != "123456" {
					t.Errorf("email: %+v", d)
				}
			case *webhook.SMSMessage:
				id, object = d.ID, d.Object
			case *bapi.WaitlistEntry:
				id, object = d.ID, d.Object
			}
			if id == "" || object == "" {
				t.Errorf("no id or object in %s", ev.Data)
			}
		})
	}
}

func TestDecodeShapes(t *testing.T) {
	for _, tt := range []struct {
		name, typ, data string
		want            any   // type of the result
		err             error // or the error
	}{
		{"unknown type stays raw", "subscription.created", `{"id":"csub_1"}`, json.RawMessage(nil), nil},
		{"unknown type with any data", "future.event", `[1,2]`, json.RawMessage(nil), nil},
		{"deleted shape of a role", webhook.RoleDeleted, `{"object":"role","id":"role_1","deleted":true}`, &bapi.DeletedObject{}, nil},
		{"full role on role.deleted", webhook.RoleDeleted, `{"object":"role","id":"role_1","key":"org:x"}`, &bapi.Role{}, nil},
		{"deleted false is the full shape", webhook.UserDeleted, `{"object":"user","id":"user_1","deleted":false}`, &bapi.User{}, nil},
		{"whitespace before the object", webhook.UserCreated, " \n\t{\"id\":\"user_1\"}", &bapi.User{}, nil},
		{"null data", webhook.UserCreated, `null`, nil, webhook.ErrPayloadInvalid},
		{"array data", webhook.UserCreated, `[]`, nil, webhook.ErrPayloadInvalid},
		{"string data", webhook.SessionCreated, `"x"`, nil, webhook.ErrPayloadInvalid},
		{"no data", webhook.UserCreated, ``, nil, webhook.ErrPayloadInvalid},
		{"wrong member type", webhook.UserCreated, `{"id":5}`, nil, webhook.ErrPayloadInvalid},
		{"wrong nested type", webhook.SessionCreated, `{"id":"sess_1","user":{"email_addresses":{}}}`, nil, webhook.ErrPayloadInvalid},
		{"deleted not a bool", webhook.UserDeleted, `{"deleted":"yes"}`, nil, webhook.ErrPayloadInvalid},
		{"truncated", webhook.UserCreated, `{"id":"user_1"`, nil, webhook.ErrPayloadInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := &webhook.Event{Type: tt.typ, Data: json.RawMessage(tt.data)}
			got, err := ev.Decode()
			if tt.err != nil {
				if !errors.Is(err, tt.err) || got != nil {
					t.Fatalf("got %T, %v; want %v", got, err, tt.err)
				}
				return
			}
			if err != nil || reflect.TypeOf(got) != reflect.TypeOf(tt.want) {
				t.Fatalf("got %T, %v; want %T", got, err, tt.want)
			}
			if raw, ok := got.(json.RawMessage); ok && string(raw) != tt.data {
				t.Errorf("raw data %s, want %s", raw, tt.data)
			}
		})
	}
	var nilEvent *webhook.Event
	if _, err := nilEvent.Decode(); !errors.Is(err, webhook.ErrPayloadInvalid) {
		t.Errorf("nil event: %v", err)
	}
}

// The envelope round-trips through encoding/json; the delivery metadata is
// not part of the payload.
func TestEventJSON(t *testing.T) {
	body, _ := clerktest.WebhookPayload(webhook.UserDeleted, json.RawMessage(`{"object":"user","id":"user_1","deleted":true}`))
	var ev webhook.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	ev.MessageID = "msg_1"
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "msg_1") || !strings.Contains(string(out), `"type":"user.deleted"`) {
		t.Errorf("marshalled %s", out)
	}
}
