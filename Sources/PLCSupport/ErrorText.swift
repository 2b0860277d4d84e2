#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

extension Error {
    /// A short reason for a failed file operation (`no such file or folder`, `permission denied`),
    /// for messages that name the file themselves; what `localizedDescription` gave with full
    /// Foundation, without linking it.
    public var plainDescription: String {
        if let cocoa = self as? CocoaError {
            switch cocoa.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
            case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
            case .fileReadInapplicableStringEncoding, .fileReadUnknownStringEncoding, .fileWriteInapplicableStringEncoding:
                return "not UTF-8 text"
            case .fileWriteOutOfSpace: return "no space left on the device"
            case .fileWriteVolumeReadOnly: return "read-only file system"
            case .fileWriteFileExists: return "the file exists"
            default: return "file error \(cocoa.code.rawValue)"
            }
        }
        if let posix = self as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        return "\(self)"
    }
}
