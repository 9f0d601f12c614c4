package bapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// ErrInvalidFile is returned (wrapped), before any request is sent, for a
// multipart part whose field name, file name or content type cannot be sent
// as a part header: a control character (CR or LF would start a header of
// its own) or a content type that is not a media type.
var ErrInvalidFile = errors.New("bapi: invalid multipart part")

// File is a file to upload in a multipart request, such as a profile image
// or a logo.
type File struct {
	// Name is the file name sent to the server ("avatar.png"). It must not
	// contain control characters; see [ErrInvalidFile].
	Name string
	// ContentType is the file's media type ("image/png"); empty means
	// application/octet-stream. It must parse as a media type.
	ContentType string
	// Reader yields the file's content; it is read once, to the end.
	Reader io.Reader
}

// multipartForm collects the parts of a multipart/form-data body.
type multipartForm struct {
	buf    bytes.Buffer
	w      *multipart.Writer
	err    error
	values []string // the text fields' values
}

func newMultipartForm() *multipartForm {
	f := &multipartForm{}
	f.w = multipart.NewWriter(&f.buf)
	return f
}

// hasControl reports whether s has a control character (CR and LF among
// them), which has no place in a part header.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// field adds a text field.
func (f *multipartForm) field(name, value string) {
	if f.err != nil {
		return
	}
	if hasControl(name) {
		f.err = fmt.Errorf("%w: a field name has a control character", ErrInvalidFile)
		return
	}
	f.err = f.w.WriteField(name, value)
	f.values = append(f.values, value)
}

// file adds a file part; a nil file is an error when required.
func (f *multipartForm) file(name string, file *File, required bool) {
	if f.err != nil {
		return
	}
	if file == nil || file.Reader == nil {
		if required {
			f.err = fmt.Errorf("bapi: multipart field %q needs a file with a Reader", name)
		}
		return
	}
	if hasControl(name) {
		f.err = fmt.Errorf("%w: a field name has a control character", ErrInvalidFile)
		return
	}
	filename := file.Name
	if filename == "" {
		filename = name
	}
	if hasControl(filename) {
		f.err = fmt.Errorf("%w: field %q: the file name has a control character", ErrInvalidFile, name)
		return
	}
	ct := file.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil || hasControl(ct) {
		f.err = fmt.Errorf("%w: field %q: the content type is not a media type such as image/png", ErrInvalidFile, name)
		return
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(name), quoteEscaper.Replace(filename)))
	h.Set("Content-Type", ct)
	part, err := f.w.CreatePart(h)
	if err != nil {
		f.err = err
		return
	}
	_, f.err = io.Copy(part, file.Reader)
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// request finishes the body and returns a request carrying it.
func (f *multipartForm) request(method, path string) (*request, error) {
	if f.err == nil {
		f.err = f.w.Close()
	}
	if f.err != nil {
		return nil, errors.Join(fmt.Errorf("bapi: building multipart body of %s %s", method, path), f.err)
	}
	return &request{method: method, path: path, body: f.buf.Bytes(), contentType: f.w.FormDataContentType(), formValues: f.values}, nil
}
