package remote

func deref[T any](p *T, fallback T) T {
	if p == nil {
		return fallback
	}
	return *p
}
