import ArgumentParser
import Glibc
import PLCAuth
import PLCCore

/// `plc user add NAME --role R --file PATH`: the users of the online mode (logins for writes).
struct User: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the users file that logins for online writes are checked against.",
        subcommands: [Add.self, List.self, Remove.self]
    )

    /// `plc user add`: adds a user or sets its role and password.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user, or change an existing user's role and password.",
            discussion: """
                On a terminal the password is asked twice (not echoed); otherwise it is the first line of \
                standard input. It is stored as an Argon2id hash (libsodium's crypto_pwhash). The file is \
                created with mode 0600 and replaced atomically.
                """
        )

        @Argument(help: "The user name (letters, digits, '.', '_', '-').")
        var name: String

        @Option(help: "viewer (reads), operator (writes variables marked online: write), engineer (anything, online change).")
        var role: String

        @Option(help: "The users file (the program's --set UsersFile=PATH).")
        var file: String

        func run() throws {
            guard UsersFile.validName(name) else { throw fail("bad user name '\(name)' (letters, digits, '.', '_', '-')") }
            guard let role = Role(rawValue: role) else { throw fail("unknown role '\(role)' (roles: viewer, operator, engineer)") }
            var users: UsersFile
            do throws(SourceError) {
                users = access(file, F_OK) == 0 ? try UsersFile(path: file) : UsersFile(empty: file)
            } catch {
                throw fail(error)
            }
            guard let password = readPassword() else { throw fail("no password given") }
            guard password.count >= 8 else { throw fail("the password is too short (at least 8 characters)") }
            do {
                users.set(name, role: role, hash: try Password.hash(password))
                try users.write()
            } catch {
                throw fail("\(error)")
            }
            note("\(file): user '\(name)' is \(role == .viewer ? "a" : "an") \(role.rawValue)")
        }
    }

    /// `plc user list`: names and roles, never the hashes.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users and their roles.")

        @Option(help: "The users file.")
        var file: String

        func run() throws {
            do throws(SourceError) {
                for user in try UsersFile(path: file).users { emit("\(user.name) \(user.role.rawValue)\n") }
            } catch {
                throw fail(error)
            }
        }
    }

    /// `plc user remove NAME`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user.")

        @Argument(help: "The user name.")
        var name: String

        @Option(help: "The users file.")
        var file: String

        func run() throws {
            var users: UsersFile
            do throws(SourceError) { users = try UsersFile(path: file) } catch { throw fail(error) }
            guard users.remove(name) else { throw fail("\(file): no user '\(name)'") }
            do throws(SourceError) { try users.write() } catch { throw fail(error) }
        }
    }
}

/// The new password: asked twice with echo off on a terminal, else the first line of standard input.
private func readPassword() -> String? {
    guard isatty(0) != 0 else { return readLine(strippingNewline: true) }
    guard let first = askHidden("Password: "), let second = askHidden("Again: ") else { return nil }
    guard first == second else {
        note("the two passwords differ")
        return nil
    }
    return first
}

/// One line read from the terminal with echo off (restored even when reading fails).
private func askHidden(_ prompt: String) -> String? {
    Console.write(prompt, to: 2)
    var saved = termios()
    let canHide = tcgetattr(0, &saved) == 0
    if canHide {
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSAFLUSH, &quiet)
    }
    defer {
        if canHide { tcsetattr(0, TCSAFLUSH, &saved) }
        Console.write("\n", to: 2)
    }
    return readLine(strippingNewline: true)
}
