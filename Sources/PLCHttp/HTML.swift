import PLCCore
/// The HTML shell every page shares: a phone-sized layout, the navigation, and a small script
/// that re-reads the page's `<main>` every few seconds (no reload, no library).
enum HTML {
    /// The pages, in navigation order: (path, title).
    static let pages = [("/", "Live"), ("/energy", "Energy"), ("/runtime", "Runtime"), ("/online", "Online")]

    /// `text` with `&`, `<`, `>`, `"` and `'` escaped.
    static func escape(_ text: String) -> String { MarkupText.escape(text) }

    /// A whole page: `main` is the page's content, refreshed in place every `refreshMs` ms.
    static func page(path: String, title: String, snapshot: RuntimeSnapshot, refreshMs: Int, main: String) -> String {
        let nav = pages.map { p in
            "<a href=\"\(p.0)\"\(p.0 == path ? " class=\"on\"" : "")>\(p.1)</a>"
        }.joined()
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width,initial-scale=1">
            <title>\(escape(title)) - \(escape(snapshot.program))</title>
            <style>\(style)</style></head>
            <body data-refresh="\(refreshMs)">
            <header><div><b>\(escape(snapshot.program))</b> <span class="muted">\(escape(snapshot.site))</span></div><nav>\(nav)</nav></header>
            <main>\(forcedBanner(snapshot))\(main)</main>
            <script>\(script)</script>
            </body></html>

            """
    }

    /// On every page while something is forced: how many, and which (Codesys shows forced values in every view).
    static func forcedBanner(_ snapshot: RuntimeSnapshot) -> String {
        guard !snapshot.forced.isEmpty else { return "" }
        let list = snapshot.forced.map { "\(escape($0.path)) = \(escape($0.value))" }.joined(separator: ", ")
        return "<section class=\"forcedbar\" id=\"forced\"><b>\(snapshot.forced.count) forced</b>: \(list)</section>"
    }

    static let style = """
        body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2430}\
        header{background:#1d2430;color:#fff;padding:8px 12px;display:flex;flex-wrap:wrap;gap:8px;justify-content:space-between;align-items:center}\
        nav a{color:#cfd6e4;margin-right:12px;text-decoration:none}nav a.on{color:#fff;border-bottom:2px solid #4fa3ff}\
        main{padding:8px;max-width:960px;margin:auto}section{background:#fff;border-radius:6px;padding:8px 12px;margin:8px 0;box-shadow:0 1px 2px #0002}\
        h2{font-size:1.1em;margin:4px 0}table{border-collapse:collapse;width:100%}td,th{padding:3px 6px;border-bottom:1px solid #eee;text-align:left}\
        td.v,td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#8a93a3}\
        .state,.q{font-size:.85em;padding:1px 6px;border-radius:8px}.ok{background:#d8f5dd;color:#17652a}\
        .stale{background:#fff0c2;color:#7a5a00}.error,.bad,.no-data{background:#ffd9d6;color:#8c1d12}\
        svg.chart{width:100%;max-width:480px;height:auto}svg.chart rect{fill:#4fa3ff}svg.chart text{font-size:10px;fill:#5a6270}\
        svg.chart line{stroke:#8a93a3}h3{font-size:1em;margin:8px 0 2px}.small{font-size:.8em}td.v{overflow-wrap:anywhere}td.nw{white-space:nowrap}pre{white-space:pre-wrap;font-size:12px;margin:0}details{margin:4px 0}summary{cursor:pointer}\
        .forcedbar{background:#ffe3b3;color:#6b3b00}tr.forced td{background:#fff1d6}.fmark{background:#e07b00;color:#fff;border-radius:8px;padding:0 6px;font-size:.8em;margin-left:4px}\
        .w{display:none}body.writer .w{display:table-cell}input.val{width:8em}#login input{margin-right:4px}
        """

    /// Re-reads the page every `data-refresh` ms and swaps in its `<main>`, counting swaps in `data-refreshed`.
    static let script = """
        (function(){var ms=+document.body.dataset.refresh;if(!ms)return;\
        setInterval(function(){var a=document.activeElement;if(a&&a.closest&&a.closest('main form'))return;fetch(location.pathname,{cache:'no-store'}).then(function(r){return r.ok?r.text():null})\
        .then(function(t){if(!t)return;var d=new DOMParser().parseFromString(t,'text/html');var m=d.querySelector('main');\
        var shut=[].map.call(document.querySelectorAll('details:not([open])'),function(e){return e.id});\
        if(m){document.querySelector('main').replaceWith(m);shut.forEach(function(id){var e=document.getElementById(id);if(e)e.open=false});\
        document.body.dataset.refreshed=(+document.body.dataset.refreshed||0)+1;document.dispatchEvent(new Event('refreshed'))}})\
        .catch(function(){})},ms)})();
        """
}
