package bapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// File is a file to upload in a multipart request, such as a profile image
// or a logo.
type File struct {
	// Name is the file name sent to the server ("avatar.png").
	Name string
	// ContentType is the file's media type; empty means application/octet-stream.
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

// field adds a text field.
func (f *multipartForm) field(name, value string) {
	if f.err != nil {
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
	filename := file.Name
	if filename == "" {
		filename = name
	}
	ct := file.ContentType
	if ct == "" {
		ct = "application/octet-stream"
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

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

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
