#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCModbus

/// The four pages, rendered from a snapshot as complete HTML (readable with scripts off, too).
enum Pages {
    /// Live: per location, every value with unit and quality, the data's state and age.
    /// `trend` is the power trend section (TrendRecorder), shown after the values.
    static func live(_ s: RuntimeSnapshot, trend: String = "") -> String {
        var main = ""
        if s.locations.isEmpty { main += "<section><p>This program has no Display block and no meter reader: see the Online view.</p></section>" }
        for location in s.locations {
            let state = location.state.rawValue
            main += "<section class=\"loc\" id=\"loc-\(HTML.escape(location.name))\" data-location=\"\(HTML.escape(location.name))\">"
            main += "<h2>\(HTML.escape(location.name)) <span class=\"state \(state)\">\(state)</span></h2>"
            main += "<p class=\"muted\">data \(formatAge(location.ageMs)) old"
            if !location.error.isEmpty { main += " &middot; <span class=\"error\">\(HTML.escape(location.error))</span>" }
            main += "</p><table>"
            for q in location.values {
                let quality = q.quality.rawValue
                main += "<tr data-q=\"\(HTML.escape(q.name))\"><td>\(HTML.escape(q.name))</td><td class=\"v\">\(HTML.escape(q.text))</td>"
                    + "<td>\(HTML.escape(q.unit))</td><td><span class=\"q \(quality.replacingEvery(" ", with: "-"))\">\(quality)</span></td></tr>"
            }
            main += "</table></section>"
        }
        main += trend
        main += "<p class=\"muted\">\(time(s)) &middot; scan \(s.cycle.cycles)</p>"
        return HTML.page(path: "/", title: "Live", snapshot: s, refreshMs: 2000, main: main)
    }

    /// Energy: kWh today and this month per location, a bar per day, and the heatmap when there is one.
    static func energy(_ s: RuntimeSnapshot, totals: [EnergyTotals], heatmap: String?, insight: EnergyInsightView = EnergyInsightView()) -> String {
        var main = "<section><h2>Energy</h2><table><tr><th>location</th><th class=\"n\">today kWh</th><th class=\"n\">this month kWh</th></tr>"
        for t in totals {
            main += "<tr data-location=\"\(HTML.escape(t.location))\"><td>\(HTML.escape(t.location))</td>"
                + "<td class=\"v\">\(t.today.map { formatFixed($0, decimals: 1) } ?? "-")</td>"
                + "<td class=\"v\">\(t.month.map { formatFixed($0, decimals: 1) } ?? "-")</td></tr>"
        }
        if totals.isEmpty { main += "<tr><td colspan=\"3\" class=\"muted\">no CSV logger with an energy column</td></tr>" }
        main += "</table><p class=\"muted\">From the CSV files, counted as <code>plc report --by day</code> counts: a counter delta is spread over the time between two good readings, a reset or meter swap restarts counting.</p></section>"
        for t in totals where !t.days.isEmpty {
            main += "<section><h2>\(HTML.escape(t.location)): kWh per day</h2>"
                + SVGChart.bars(t.days.map { (String($0.date.suffix(2)), $0.kwh) }, unit: "kWh", title: "\(t.location) kWh per day")
                + "</section>"
        }
        main += insight.html
        if let heatmap { main += "<section><h2>kWh by hour of day</h2>\(heatmap)</section>" }
        return HTML.page(path: "/energy", title: "Energy", snapshot: s, refreshMs: 60_000, main: main)
    }

    /// Runtime: cycle statistics, jitter percentiles, bus and device counters, the error log's last lines.
    static func runtime(_ s: RuntimeSnapshot, log: [(file: String, lines: [String])]) -> String {
        func row(_ name: String, _ value: String) -> String { "<tr><td>\(name)</td><td class=\"v\">\(value)</td></tr>" }
        var main = ""
        // One section per task of a `tasks:` list.
        for (task, c) in s.tasks.isEmpty ? [(name: "", cycle: s.cycle)] : s.tasks {
            main += "<section><h2>\(task.isEmpty ? "Scan cycle" : "Task \(HTML.escape(task))")</h2><table>"
            main += row("scans", "\(c.cycles) at T#\(c.intervalMs)ms")
            main += row("cycle last", formatDuration(c.last)) + row("cycle min", formatDuration(c.min))
            main += row("cycle avg", formatDuration(c.average)) + row("cycle max", formatDuration(c.max))
            for p in c.jitterPercentiles { main += row("start jitter \(percentileName(p.fraction))", formatDuration(p.ns)) }
            main += row("start jitter max", formatDuration(c.maxJitter))
            main += row("overruns", "\(c.overruns) (\(c.skipped) scans skipped)")
            main += row("watchdog", c.watchdogMs > 0 ? "\(c.watchdogTrips) trips (limit T#\(c.watchdogMs)ms)" : "off")
            main += "</table>"
            main += SVGChart.bars(c.jitterPercentiles.map { (percentileName($0.fraction), Double($0.ns) / 1e6) }
                + [("max", Double(c.maxJitter) / 1e6)], unit: "ms", title: "start jitter percentiles")
            main += "</section>"
        }
        for bus in s.buses {
            main += "<section><h2>Bus \(HTML.escape(bus.name)) <span class=\"muted\">\(HTML.escape(bus.summary))</span></h2>"
            if bus.devices.isEmpty { main += "<p class=\"muted\">no request yet</p>" }
            for d in bus.devices {
                let n = d.counters
                main += "<h3>slave \(d.slave)</h3><table>" + row("requests", "\(n.requests)") + row("timeouts", "\(n.timeouts)")
                    + row("CRC errors", "\(n.crcErrors)") + row("exceptions", "\(n.exceptions)") + row("other errors", "\(n.otherErrors)")
                    + row("latency last / avg", "\(formatDuration(n.lastLatency)) / \(formatDuration(n.averageLatency))") + "</table>"
            }
            main += "</section>"
        }
        if s.buses.isEmpty { main += "<section><h2>Buses</h2><p class=\"muted\">no bus</p></section>" }
        for entry in log {
            main += "<section><h2>Log \(HTML.escape(entry.file))</h2><pre>"
                + (entry.lines.isEmpty ? "(empty)" : entry.lines.map(HTML.escape).joined(separator: "\n")) + "</pre></section>"
        }
        main += "<p class=\"muted\">\(time(s))</p>"
        return HTML.page(path: "/runtime", title: "Runtime", snapshot: s, refreshMs: 2000, main: main)
    }

    /// Online: every program variable and block pin with value, type and comment, by instance.
    static func online(_ s: RuntimeSnapshot) -> String {
        var main = onlineForm
        for instance in s.instances {
            let title = instance.name.isEmpty ? "\(HTML.escape(s.program)) (program variables)" : "\(HTML.escape(instance.name)) : \(HTML.escape(instance.type))"
            main += "<details open id=\"i-\(HTML.escape(instance.name.isEmpty ? "_program" : instance.name))\"><summary><b>\(title)</b></summary>"
                + "<table><tr><th>name</th><th>type</th><th class=\"n\">value</th></tr>"
            for pin in instance.pins {
                let path = instance.name.isEmpty ? pin.name : instance.name + "." + pin.name
                main += "<tr data-pin=\"\(HTML.escape(path))\"\(pin.forced ? " class=\"forced\"" : "")>"
                    + "<td>\(HTML.escape(pin.name))\(pin.writable ? " <span class=\"muted small\">online: write</span>" : "")"
                    + (pin.retain.map { " <span class=\"small retain\" title=\"kept over a restart\">\($0.rawValue)</span>" } ?? "")
                    + (pin.comment.isEmpty ? "" : "<div class=\"muted small\">\(HTML.escape(pin.comment))</div>") + "</td>"
                    + "<td class=\"muted\">\(HTML.escape(pin.type.name))<div class=\"small\">\(pin.scope.rawValue)</div></td>"
                    + "<td class=\"v\(pin.text.count <= 16 ? " nw" : "")\" data-value=\"\(HTML.escape(pin.text))\">\(HTML.escape(pin.text))"
                    + (pin.forced ? "<span class=\"fmark\" title=\"forced\">F</span>" : "") + "</td></tr>"
            }
            main += "</table></details>"
        }
        main += "<p class=\"muted\">\(time(s))</p>"
        return HTML.page(path: "/online", title: "Online", snapshot: s, refreshMs: 2000, main: main) + onlineScript
    }

    /// The login box and the write/force form (shown once logged in); a click on a row fills it.
    static let onlineForm = """
        <section id="online"><form id="login" class="nw"><span id="who" class="muted">read-only</span> \
        <input name="user" placeholder="user" autocomplete="username"><input name="password" type="password" placeholder="password" \
        autocomplete="current-password"><button>log in</button></form>\
        <form id="change" hidden>variable <input name="variable" class="val"> value <input name="value" class="val"> \
        <button data-act="write">write</button> <button data-act="force">force</button> <button data-act="unforce">unforce</button> \
        <button type="button" id="logout">log out</button></form><div id="answer" class="small"></div></section>
        """

    /// Logs in and posts writes and forces through the API (the CSRF token from the login goes in a
    /// header); the page's refresh keeps its place while a field has the focus.
    static let onlineScript = """
        <script>(function(){var csrf='',last={},said='';function $(i){return document.getElementById(i)}\
        function post(p,f){return fetch(p,{method:'POST',credentials:'same-origin',headers:csrf?{'X-CSRF-Token':csrf}:{},\
        body:new URLSearchParams(new FormData(f))}).then(function(r){return r.json().then(function(j){j.status=r.status;return j})})}\
        function show(j){last=j;csrf=j.csrf||'';var on=!!j.user;$('change').hidden=!on;$('login').querySelectorAll('input,button')\
        .forEach(function(e){e.hidden=on||j.writeAccess==='off'});$('who').textContent=on?j.user+' ('+j.role+')':\
        (j.writeAccess==='off'?'read-only: no users file':'read-only');document.body.classList.toggle('writer',on)}\
        function say(j){said=j.error||[j.written||j.forced||j.unforced,j.value,j.applies].filter(Boolean).join(' ');$('answer').textContent=said}\
        document.addEventListener('refreshed',function(){show(last);$('answer').textContent=said});\
        fetch('/api/session',{credentials:'same-origin'}).then(function(r){return r.json()}).then(show);\
        document.addEventListener('submit',function(e){e.preventDefault();var f=e.target;\
        if(f.id==='login')post('/api/login',f).then(function(j){if(j.status===200){show(j);j={applies:'logged in'}}say(j)});\
        else{var act=(e.submitter&&e.submitter.dataset.act)||'write';post('/api/'+act,f).then(say)}});\
        document.addEventListener('click',function(e){if(e.target.id==='logout'){post('/api/logout',$('change')).then(function(){show({})});return}\
        var row=e.target.closest&&e.target.closest('tr[data-pin]');if(row&&!$('change').hidden){var f=$('change');\
        f.variable.value=row.dataset.pin;f.value.value=row.querySelector('td[data-value]').dataset.value}})})();</script>
        """

    private static func time(_ s: RuntimeSnapshot) -> String {
        guard s.wallClock > 0 else { return "no snapshot yet" }
        var seconds = time_t(s.wallClock.rounded(.down))
        var local = tm()
        guard localtime_r(&seconds, &local) != nil else { return "no snapshot yet" }
        return String(printf: "%04d-%02d-%02d %02d:%02d:%02d", local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                      local.tm_hour, local.tm_min, local.tm_sec)
    }
}
