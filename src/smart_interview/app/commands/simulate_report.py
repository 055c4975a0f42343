"""The printed report of `smart-interview simulate`: questions, latencies, WER, and every
address the interview contacted with the requests and bytes sent there.

With the process-level observer the addresses are what strace saw (every connect() and every
byte written to a connected socket, read back as HTTP requests); each request is shown with the
purpose the app's own network log gave it, or "not in the app's log".
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from smart_interview.app.commands.simulate_script import percentile


def request_key(host: str, method: str, path: str) -> tuple[str, str, str]:
    return host.replace("localhost", "127.0.0.1"), method, path


def logged_requests(report: dict[str, Any]) -> Counter[tuple[str, str, str]]:
    """(address, method, path) → how many times the app's network log lists it."""
    return Counter(request_key(e["host"], e["method"], e["path"]) for e in report["network"])


def observed_requests(report: dict[str, Any]) -> Counter[tuple[str, str, str]]:
    """(address, method, path) → how many times strace saw the app send it."""
    found: Counter[tuple[str, str, str]] = Counter()
    for address, seen in (report.get("observed") or {}).get("addresses", {}).items():
        for request in seen["requests"]:
            found[request_key(address, request["method"], request["path"])] += 1
    return found


def render_report(report: dict[str, Any]) -> str:
    from smart_interview.app.network.log import format_size

    matched = sum(1 for q in report["questions"] if q["detected"])
    out = [f"Questions: {report['questions_expected']} expected, "
           f"{report['questions_detected']} detected ({matched} matched to the script)"]
    for name, key in (("talking points", "talking_points_s"),
                      ("first answer token", "first_token_s")):
        values = [q[key] for q in report["questions"] if q[key] is not None]
        p50, p95 = percentile(values, 50), percentile(values, 95)
        out.append(f"End of question → {name}: " + (
            f"p50 {p50:.2f} s, p95 {p95:.2f} s ({len(values)} questions)"
            if p50 is not None and p95 is not None else "none"))
    out.append("WER: " + ", ".join(
        f"{speaker} {'-' if rate is None else f'{rate * 100:.1f} %'}"
        for speaker, rate in report["wer"].items()))
    account = report.get("account")
    out.append("Account: " + (f"{account['email']} on {account['server']} (CV "
                              f"{account['cv_file'].rsplit('/', 1)[-1]}, dossier "
                              f"{account['dossier_status']})" if account else "none"))
    purposes: dict[tuple[str, str, str], str] = {}
    for entry in report["network"]:
        purposes[request_key(entry["host"], entry["method"], entry["path"])] = entry["purpose"]
    observed = report.get("observed")
    if observed is None:
        out.append("Addresses (from the app's network log; no process-level observer):")
        out.extend(_from_log(report, format_size))
        return "\n".join(out)
    out.append("Addresses contacted (every connect() and every byte sent, seen by strace):")
    if not observed["addresses"]:
        out.append("  none")
    for address, seen in sorted(observed["addresses"].items()):
        out.append(f"  {address}  {seen['connects']} connect(), {len(seen['requests'])} "
                   f"requests, {format_size(seen['bytes_sent'])} sent")
        counts = Counter((r["method"], r["path"]) for r in seen["requests"])
        body = Counter[tuple[str, str]]()
        for request in seen["requests"]:
            body[(request["method"], request["path"])] += len(request["body"].encode())
        for (method, path), count in sorted(counts.items(), key=lambda item: item[0][1]):
            what = purposes.get(request_key(address, method, path), "not in the app's log")
            out.append(f"    {count:>2} × {method} {path}  ({what}; bodies "
                       f"{format_size(body[(method, path)])})")
        for problem in seen["unparsed"]:
            out.append(f"    unreadable: {problem}")
    same = observed_requests(report) == logged_requests(report)
    out.append("The app's network log lists " + (
        "the same requests." if same else "DIFFERENT requests from those observed."))
    return "\n".join(out)


def _from_log(report: dict[str, Any], format_size: Any) -> list[str]:
    sent: dict[str, int] = {}
    purposes: dict[str, set[str]] = {}
    for entry in report["network"]:
        sent[entry["host"]] = sent.get(entry["host"], 0) + entry["bytes_sent"]
        purposes.setdefault(entry["host"], set()).add(entry["purpose"])
    if not sent:
        return ["  none"]
    return [f"  {host}  {format_size(size)} sent  ({', '.join(sorted(purposes[host]))})"
            for host, size in sorted(sent.items())]
