import Glibc

extension String {
    /// This path and `component` joined by one `/` (`NSString.appendingPathComponent`, without
    /// linking full Foundation).
    public func pathAppending(_ component: String) -> String {
        guard !isEmpty else { return component }
        let tail = component.drop { $0 == "/" }
        return hasSuffix("/") ? self + tail : self + "/" + tail
    }

    /// The path without trailing slashes (`/` stays `/`).
    private var pathTrimmed: Substring {
        var path = Substring(self)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return path
    }

    /// The last component: `c.csv` of `/a/b/c.csv` (`NSString.lastPathComponent`).
    public var pathLastComponent: String {
        let path = pathTrimmed
        guard path != "/", let slash = path.lastIndex(of: "/") else { return String(path) }
        return String(path[path.index(after: slash)...])
    }

    /// The path without its last component: `/a/b` of `/a/b/c.csv`, `/` of `/a`, empty for `a`
    /// (`NSString.deletingLastPathComponent`).
    public var pathDeletingLastComponent: String {
        let path = pathTrimmed
        guard path != "/", let slash = path.lastIndex(of: "/") else { return path == "/" ? "/" : "" }
        if slash == path.startIndex { return "/" }
        var parent = path[..<slash]
        while parent.count > 1 && parent.hasSuffix("/") { parent = parent.dropLast() }
        return String(parent)
    }

    /// The extension of the last component without its dot: `csv` of `/a/b/c.csv`, empty when there
    /// is none (`NSString.pathExtension`).
    public var pathExtensionPart: String {
        let name = pathLastComponent
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// The path without the last component's extension: `/a/b/c` of `/a/b/c.csv`
    /// (`NSString.deletingPathExtension`).
    public var pathDeletingExtension: String {
        let path = pathTrimmed
        let ext = pathExtensionPart
        guard !ext.isEmpty else { return String(path) }
        return String(path.dropLast(ext.count + 1))
    }

    /// The absolute path with symbolic links resolved (`realpath`); the path itself when it cannot be resolved.
    public var pathResolvingSymlinks: String {
        guard let resolved = realpath(self, nil) else { return self }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
