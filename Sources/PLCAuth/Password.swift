import CSodium
import Glibc

/// Argon2id password hashes and random tokens, from libsodium (never hand-written crypto).
public enum Password {
    /// Why a password cannot be hashed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// libsodium's one-time initialisation (thread-safe, idempotent).
    private static let ready: Bool = sodium_init() >= 0

    /// The Argon2id hash of `password` in the PHC string form (`$argon2id$v=19$m=65536,t=2,p=1$...`),
    /// with a fresh salt and libsodium's interactive limits (64 MiB, 2 passes: about 0.1 s on a Pi 5).
    public static func hash(_ password: String) throws(Failure) -> String {
        guard ready else { throw Failure(description: "libsodium could not be initialised") }
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_argon2id_STRBYTES))
        let length = UInt64(password.utf8.count)
        let rc = password.withCString { pw in
            crypto_pwhash_str_alg(&out, pw, length, UInt64(crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE),
                                  Int(crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE), crypto_pwhash_ALG_ARGON2ID13)
        }
        guard rc == 0 else { throw Failure(description: "out of memory hashing the password (Argon2id needs 64 MiB)") }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches `hash` (any Argon2 PHC string libsodium reads; FALSE for anything else).
    public static func verify(_ password: String, against hash: String) -> Bool {
        guard ready, hash.hasPrefix("$argon2"), hash.utf8.count < Int(crypto_pwhash_argon2id_STRBYTES) else { return false }
        let length = UInt64(password.utf8.count)
        return hash.withCString { stored in
            password.withCString { pw in crypto_pwhash_str_verify(stored, pw, length) == 0 }
        }
    }

    /// A hash no password matches, verified for unknown user names so that a login takes as long
    /// whether the name exists or not.
    public static let decoy: String = (try? hash(token(bytes: 16))) ?? ""

    /// `bytes` random bytes from the kernel's generator, as lowercase hex.
    public static func token(bytes count: Int = 32) -> String {
        _ = ready
        var bytes = [UInt8](repeating: 0, count: count)
        randombytes_buf(&bytes, count)
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Compares two secrets in time that depends only on their length, not on where they differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        return sodium_memcmp(x, y, x.count) == 0
    }
}
