import pytest

from bench.harness import check, parse_wrk

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    38.21ms    9.20ms 150.00ms   80.00%
    Req/Sec   420.57    100.00   600.00     70.00%
  Latency Distribution
     50%  850.00us
     75%   42.00ms
     90%   48.50ms
     99%    1.20s
  8123 requests in 10.01s, 70.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    811.52
Transfer/sec:      6.99MB
"""


def test_parse_wrk_reads_rate_percentiles_in_milliseconds_and_errors():
    result = parse_wrk(WRK_OUTPUT)

    assert result.requests == 8123
    assert result.requests_per_second == 811.52
    assert result.latency_ms == {50: 0.85, 75: 42.0, 90: 48.5, 99: 1200.0}
    assert result.errors == 7


def test_parse_wrk_without_errors():
    output = WRK_OUTPUT.replace("  Socket errors: connect 0, read 2, write 0, timeout 1\n", "").replace(
        "  Non-2xx or 3xx responses: 4\n", ""
    )

    assert parse_wrk(output).errors == 0


def test_check_prints_the_figure_beside_its_target(capsys):
    assert check("home_rps", 1234.5, "req/s", at_least=1000).passed
    assert not check("home_p99", 61.0, "ms", under=50).passed

    assert capsys.readouterr().out.splitlines() == [
        "home_rps: 1,234.5 req/s (target: at least 1,000 req/s) PASS",
        "home_p99: 61 ms (target: under 50 ms) FAIL",
    ]


def test_check_needs_exactly_one_bound():
    with pytest.raises(ValueError):
        check("x", 1, "ms")
