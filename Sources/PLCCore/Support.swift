// The Foundation stand-ins (text, files, threads, clocks) live in PLCSupport; every module that
// imports the IEC kernel has always seen them, so PLCCore passes them on.
@_exported public import PLCSupport
