import Synchronization

/// Logged-in sessions of the dashboard: random tokens for an HttpOnly, SameSite=Strict cookie, a
/// CSRF token per session, expiry, and a per-client limit on failed logins.
///
/// Times are milliseconds on a monotonic clock the caller passes in, so tests drive them.
public final class Sessions: Sendable {
    /// One logged-in user.
    public struct Session: Sendable, Equatable {
        /// The cookie's value.
        public let token: String
        /// What every state-changing request must send back (a form field or `X-CSRF-Token`).
        public let csrf: String
        public let user: String
        public let role: Role
        let started: Int64
        var lastSeen: Int64
    }

    /// Why a login was refused.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// Unknown user or wrong password (which one is not said).
        case badCredentials
        /// Too many failed logins from this client; try again after this many seconds.
        case throttled(seconds: Int64)

        public var description: String {
            switch self {
            case .badCredentials: "wrong user name or password"
            case .throttled(let seconds): "too many failed logins from this address; try again in \(seconds) s"
            }
        }
    }

    /// Why a request's session does not hold.
    public enum Denial: Error, Equatable, CustomStringConvertible {
        case notLoggedIn, expired, badCSRF

        public var description: String {
            switch self {
            case .notLoggedIn: "not logged in"
            case .expired: "the session expired; log in again"
            case .badCSRF: "missing or wrong CSRF token"
            }
        }
    }

    /// Limits: a session ends after `idleMs` without a request or `lifetimeMs` after the login;
    /// `failuresAllowed` failed logins from one client, then it waits `lockoutMs`, doubling with
    /// every further failure (up to an hour).
    public struct Limits: Sendable {
        public var idleMs: Int64 = 30 * 60_000
        public var lifetimeMs: Int64 = 12 * 3_600_000
        public var failuresAllowed = 5
        public var lockoutMs: Int64 = 30_000
        public var maxSessions = 64
        public init() {}
    }

    private struct Failures { var count = 0; var lockedUntil: Int64 = 0 }
    private struct State {
        var sessions: [String: Session] = [:]
        var failures: [String: Failures] = [:]
    }

    private let users: UsersFile
    private let limits: Limits
    private let state = Mutex(State())

    /// Sessions for the users of `users`.
    public init(users: UsersFile, limits: Limits = Limits()) {
        self.users = users
        self.limits = limits
    }

    /// Checks `password` for `user` (an Argon2id verification, about 0.1 s, outside the lock) and
    /// opens a session; `client` (the peer's address) is what failed logins are counted by.
    public func login(user name: String, password: String, client: String, now: Int64) -> Result<Session, Refusal> {
        let wait: Int64 = state.withLock { state in
            guard let failures = state.failures[client], failures.lockedUntil > now else { return 0 }
            return (failures.lockedUntil - now + 999) / 1000
        }
        if wait > 0 { return .failure(.throttled(seconds: wait)) }
        let user = users.user(name)
        // An unknown name costs the same verification, so timing does not tell which names exist.
        let good = Password.verify(password, against: user?.hash ?? Password.decoy) && user != nil
        return state.withLock { state in
            guard good, let user else {
                var failures = state.failures[client] ?? Failures()
                failures.count += 1
                if failures.count >= limits.failuresAllowed {
                    let doublings = min(failures.count - limits.failuresAllowed, 7)
                    failures.lockedUntil = now + min(limits.lockoutMs << doublings, 3_600_000)
                }
                state.failures[client] = failures
                if state.failures.count > 4096 { state.failures = state.failures.filter { $0.value.lockedUntil > now } }
                return .failure(.badCredentials)
            }
            state.failures[client] = nil
            state.sessions = state.sessions.filter { alive($0.value, now: now) }
            if state.sessions.count >= limits.maxSessions,
               let oldest = state.sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
                state.sessions[oldest.token] = nil
            }
            let session = Session(token: Password.token(), csrf: Password.token(), user: user.name, role: user.role,
                                  started: now, lastSeen: now)
            state.sessions[session.token] = session
            return .success(session)
        }
    }

    /// The session of `token` for a read (no CSRF needed); it counts as activity.
    public func session(token: String?, now: Int64) -> Result<Session, Denial> {
        check(token: token, csrf: nil, needsCSRF: false, now: now)
    }

    /// The session of `token` for a state-changing request, which must carry the session's `csrf`.
    public func authorise(token: String?, csrf: String?, now: Int64) -> Result<Session, Denial> {
        check(token: token, csrf: csrf, needsCSRF: true, now: now)
    }

    /// Ends the session of `token`.
    public func logout(token: String) {
        state.withLock { _ = $0.sessions.removeValue(forKey: token) }
    }

    private func check(token: String?, csrf: String?, needsCSRF: Bool, now: Int64) -> Result<Session, Denial> {
        guard let token, !token.isEmpty else { return .failure(.notLoggedIn) }
        return state.withLock { state in
            guard let found = state.sessions.first(where: { Password.equal($0.key, token) })?.value else {
                return .failure(.notLoggedIn)
            }
            guard alive(found, now: now) else {
                state.sessions[found.token] = nil
                return .failure(.expired)
            }
            if needsCSRF && !Password.equal(csrf ?? "", found.csrf) { return .failure(.badCSRF) }
            var session = found
            session.lastSeen = now
            state.sessions[found.token] = session
            return .success(session)
        }
    }

    private func alive(_ session: Session, now: Int64) -> Bool {
        now - session.lastSeen < limits.idleMs && now - session.started < limits.lifetimeMs
    }
}
