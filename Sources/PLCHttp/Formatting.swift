#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCStorage

/// `value` with `decimals` digits after the point, never `-0.0`.
func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Inf" : "+Inf") }
    return ValueColumns.format(value, decimals: max(decimals, 0)) ?? String(value)   // beyond 1e18: no fixed form
}

/// `value` rounded to `decimals` digits, so it prints as the register's resolution (`229.7`).
func rounded(_ value: Double, decimals: Int) -> Double {
    let scale = pow(10, Double(min(max(decimals, 0), 9)))
    return (value * scale).rounded() / scale
}

/// A duration in ns as readable text: `850 µs`, `12.3 ms`, `2.0 s`.
func formatDuration(_ ns: Int64) -> String {
    let us = Double(ns) / 1000
    if us < 1000 { return "\(Int(us.rounded())) µs" }
    if us < 1_000_000 { return formatFixed(us / 1000, decimals: us < 10_000 ? 2 : 1) + " ms" }
    return formatFixed(us / 1_000_000, decimals: 2) + " s"
}

/// An age in ms as readable text: `450 ms`, `3 s`, `2 m 5 s`, `1 h 3 m`.
func formatAge(_ ms: Int64) -> String {
    if ms < 1000 { return "\(max(ms, 0)) ms" }
    let s = ms / 1000
    if s < 60 { return "\(s) s" }
    if s < 3600 { return "\(s / 60) m \(s % 60) s" }
    return "\(s / 3600) h \(s / 60 % 60) m"
}

/// A percentile's name: `p50`, `p99`, `p99.9`.
func percentileName(_ fraction: Double) -> String {
    let percent = fraction * 100
    return "p" + (percent == percent.rounded() ? String(Int(percent)) : formatFixed(percent, decimals: 1))
}
