public import PLCCore
import Glibc

/// The users of the online mode, one per line: `NAME ROLE ARGON2ID-HASH` (`#` starts a comment).
///
/// A plain line format, like `/etc/shadow` or an htpasswd file: the hashes are long and opaque, so
/// there is nothing to nest, and a line is easy to add, remove or review by hand. `plc user add`
/// writes it (mode 0600, replaced atomically).
public struct UsersFile: Sendable {
    /// One user: a name, a role and the Argon2id hash of the password.
    public struct User: Sendable, Equatable {
        public let name: String
        public let role: Role
        public let hash: String
    }

    public let path: String
    public private(set) var users: [User]

    /// An empty file at `path` (nothing written yet).
    public init(empty path: String) {
        self.path = path
        users = []
    }

    /// Reads `path`; every malformed line is a `file:line: problem` error.
    public init(path: String) throws(SourceError) {
        self.path = path
        users = try Self.parse(TextInput.read(path, what: "users file"), path: path)
    }

    /// The users in `text`, read from `path` (for the messages).
    public static func parse(_ text: String, path: String) throws(SourceError) -> [User] {
        var users: [User] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let at = index + 1
            guard fields.count == 3 else {
                throw SourceError(file: path, line: at, "expected 'NAME ROLE HASH', found \(fields.count) field\(fields.count == 1 ? "" : "s")")
            }
            guard let role = Role(rawValue: fields[1]) else {
                throw SourceError(file: path, line: at, "unknown role '\(fields[1])' (roles: viewer, operator, engineer)")
            }
            guard validName(fields[0]) else {
                throw SourceError(file: path, line: at, "bad user name '\(fields[0])' (letters, digits, '.', '_', '-')")
            }
            guard fields[2].hasPrefix("$argon2id$") else {
                throw SourceError(file: path, line: at, "the password of '\(fields[0])' is not an Argon2id hash (write it with plc user add)")
            }
            guard !users.contains(where: { $0.name == fields[0] }) else {
                throw SourceError(file: path, line: at, "user '\(fields[0])' is listed twice")
            }
            users.append(User(name: fields[0], role: role, hash: fields[2]))
        }
        return users
    }

    /// Whether `name` may be a user name: 1 to 64 letters, digits, '.', '_' or '-'.
    public static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "." || $0 == "_" || $0 == "-"
        }
    }

    /// The user called `name`, if any.
    public func user(_ name: String) -> User? { users.first { $0.name == name } }

    /// Adds `name` (or replaces its role and password) with `hash`.
    public mutating func set(_ name: String, role: Role, hash: String) {
        let user = User(name: name, role: role, hash: hash)
        if let at = users.firstIndex(where: { $0.name == name }) { users[at] = user } else { users.append(user) }
    }

    /// Removes `name`; FALSE when there is no such user.
    public mutating func remove(_ name: String) -> Bool {
        guard let at = users.firstIndex(where: { $0.name == name }) else { return false }
        users.remove(at: at)
        return true
    }

    /// The file's text.
    public var text: String {
        "# plc users: NAME ROLE ARGON2ID-HASH (plc user add NAME --role viewer|operator|engineer --file PATH)\n"
            + users.map { "\($0.name) \($0.role.rawValue) \($0.hash)\n" }.joined()
    }

    /// Writes the file: a temporary file (mode 0600) beside it, synced, then renamed over it.
    public func write() throws(SourceError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SourceError(file: path, line: nil, "cannot write: \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw SourceError(file: path, line: nil, "cannot write: \(reason)")
            }
            done += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SourceError(file: path, line: nil, "cannot write: \(reason)")
        }
    }
}
