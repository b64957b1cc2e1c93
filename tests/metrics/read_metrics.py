#!/usr/bin/env python3
"""Parses Prometheus' text format with the Prometheus Python client's own parser
(PyPI `prometheus-client`), for the integration tests.

Usage: read_metrics.py < exposition
Prints {"families": {name: type}, "samples": [{"name", "labels", "value"}]} as JSON;
a document the parser refuses exits 1 with its reason.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    families, samples = {}, []
    try:
        for family in text_string_to_metric_families(text):
            families[family.name] = family.type
            for sample in family.samples:
                samples.append(
                    {"name": sample.name, "labels": sample.labels, "value": sample.value}
                )
    except ValueError as e:
        sys.exit(f"not Prometheus' text format: {e}")
    print(json.dumps({"families": families, "samples": samples}))


if __name__ == "__main__":
    main()
