package betterauth

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is an in-memory Store holding rows as SQLite holds them (the
// Kysely layout: dates as ISO strings, booleans as 0/1). It backs the
// vector replays and benchmarks, and demos without a database.
type MemoryStore struct {
	// SessionExtra and UserExtra are the configured additionalFields.
	SessionExtra, UserExtra []AdditionalField

	mu       sync.Mutex
	sessions map[string]Object // by token
	users    map[string]Object // by id
	order    []string          // session tokens in insertion order
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{sessions: map[string]Object{}, users: map[string]Object{}}
}

// PutUser stores a user row.
func (m *MemoryStore) PutUser(row Object) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, _ := row.String("id")
	m.users[id] = row.Clone()
}

// PutSession stores a session row.
func (m *MemoryStore) PutSession(row Object) {
	m.mu.Lock()
	defer m.mu.Unlock()
	tok, _ := row.String("token")
	if _, ok := m.sessions[tok]; !ok {
		m.order = append(m.order, tok)
	}
	m.sessions[tok] = row.Clone()
}

// Sessions returns the session rows in insertion order.
func (m *MemoryStore) Sessions() []Object {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Object
	for _, t := range m.order {
		if r, ok := m.sessions[t]; ok {
			out = append(out, r.Clone())
		}
	}
	return out
}

// FindSession implements Store.
func (m *MemoryStore) FindSession(_ context.Context, token string) (*Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[token]
	if !ok {
		return nil, nil
	}
	uid, _ := s.String("userId")
	u, ok := m.users[uid]
	if !ok {
		return nil, nil
	}
	return &Record{Session: AdapterOutput(s, SessionFields, m.SessionExtra), User: AdapterOutput(u, UserFields, m.UserExtra)}, nil
}

// UpdateSession implements Store.
func (m *MemoryStore) UpdateSession(_ context.Context, token string, expiresAt, updatedAt time.Time) (Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[token]
	if !ok {
		return nil, nil
	}
	s.Set("expiresAt", isoString(expiresAt))
	s.Set("updatedAt", isoString(updatedAt))
	return AdapterOutput(s, SessionFields, m.SessionExtra), nil
}

// DeleteSession implements Store.
func (m *MemoryStore) DeleteSession(_ context.Context, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, token)
	return nil
}
