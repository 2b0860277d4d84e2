#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import Synchronization

/// Answers every request from the snapshot box: the four pages, `/api/values`, `/api/online` and
/// `/metrics`; the write access (`/api/login`, `/api/write`, ...) goes to `OnlineAPI`. Anything
/// else is 404, a method other than GET or HEAD on a page is 405; nothing reads a file named by a
/// request, and nothing writes but through a login.
struct DashboardHandler: Sendable {
    /// The requests served so far (for /metrics).
    final class Counter: Sendable {
        let value = Atomic<UInt64>(0)
    }

    static let routes: Set<String> = ["/", "/energy", "/runtime", "/online", "/api/values", "/api/online", "/metrics"]

    let box: SnapshotBox
    /// Write access (login, write, force): the program's online API.
    let online: OnlineAPI
    let energy: EnergyReader
    let heatmap: (@Sendable ([EnergySource]) -> String?)?
    var trend: TrendRecorder? = nil
    /// Cost (with a tariff) and unusual hours per location, from PLCReport (plc's hook).
    var insight: (@Sendable ([EnergySource]) -> EnergyInsightView)? = nil
    let counter = Counter()
    let energyPage = EnergyPageCache()

    func handleRequest(_ request: HTTPServer.Request) -> HTTPResponse {
        counter.value.add(1, ordering: .relaxed)
        if let answer = online.handle(.init(method: request.method, path: request.path, headers: request.headers,
                                            body: request.body, client: request.client)) {
            return answer
        }
        guard Self.routes.contains(request.path) else {
            return text(404, "not found: the pages are / /energy /runtime /online, the data /api/values /api/online /metrics\n")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = text(405, "method not allowed: this dashboard is read-only (GET)\n")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        guard let snapshot = box.fresh() else {
            return text(503, "no snapshot yet: the program has not scanned\n")
        }
        return respond(request.path, snapshot)
    }

    private func respond(_ path: String, _ s: RuntimeSnapshot) -> HTTPResponse {
        switch path {
        case "/": return html(Pages.live(s, trend: trend?.html() ?? ""))
        case "/energy":
            let figures = energyPage.figures(s.energySources) { [energy, heatmap] sources in
                EnergyPageCache.Figures(totals: energy.totals(sources), heatmap: heatmap?(sources))
            }
            return html(Pages.energy(s, totals: figures.totals, heatmap: figures.heatmap,
                                     insight: insight?(s.energySources) ?? EnergyInsightView()))
        case "/runtime": return html(Pages.runtime(s, log: s.logFiles.map { ($0, LogTail.lines($0, count: 20)) }))
        case "/online": return html(Pages.online(s))
        case "/api/values": return body(Array(ValuesJSON.values(s)), type: "application/json")
        case "/api/online": return body(Array(ValuesJSON.online(s)), type: "application/json")
        default:
            return body(Array(MetricsText.render(s, requests: counter.value.load(ordering: .relaxed)).utf8), type: MetricsText.contentType)
        }
    }

    /// A page: it may load nothing from anywhere but this server, and only its own inline style and script run.
    private func html(_ page: String) -> HTTPResponse {
        var response = body(Array(page.utf8), type: "text/html; charset=utf-8")
        response.headers.append(("Content-Security-Policy",
            "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"))
        return response
    }

    private func text(_ status: Int, _ message: String) -> HTTPResponse {
        body(Array(message.utf8), type: "text/plain; charset=utf-8", status: status)
    }

    private func body(_ bytes: [UInt8], type: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", type), ("Cache-Control", "no-store"),
                                               ("X-Content-Type-Options", "nosniff")], body: bytes)
    }
}
