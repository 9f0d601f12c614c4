package bapi

import (
	"context"
	"iter"
)

// paginate walks a limit/offset list page by page, yielding every item, until
// a page is shorter than the page size, an error (yielded once, last), or the
// consumer stops. A limit of zero or less means pageSize.
func paginate[T any](ctx context.Context, limit, offset, pageSize int, fetch func(limit, offset int) ([]*T, *Response, error)) iter.Seq2[*T, error] {
	if limit <= 0 {
		limit = pageSize
	}
	if offset < 0 {
		offset = 0
	}
	return func(yield func(*T, error) bool) {
		offset := offset // each range over the sequence starts afresh
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			items, _, err := fetch(limit, offset)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if len(items) < limit {
				return
			}
			offset += len(items)
		}
	}
}
