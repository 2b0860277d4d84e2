import Foundation
import PLCSql
import Testing

/// Issue 26's storage and SQL defects that need no peer.
@Suite("hardening units: storage and SQL (issue 26)")
struct StorageHardeningUnitTests {
    @Test("an SQL error from a driver's multi-line message is one log line (defect 10)")
    func oneLineError() {
        let error = ODBCError(operation: "insert", sqlState: "08S01", nativeCode: 35,
                              message: "The connection has been lost;\nThe connection has been lost")
        #expect(!error.description.contains("\n"))
        #expect(error.description == "SQL insert failed [08S01]: The connection has been lost; The connection has been lost")
    }
}
