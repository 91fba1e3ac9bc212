#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (corpus/<target>/NN-name). Run it again after
changing a seed here; the files are checked in so the fuzzers never depend on running it."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, seeds):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        os.remove(os.path.join(folder, old))
    for index, (name, data) in enumerate(seeds):
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(os.path.join(folder, "%02d-%s" % (index, name)), "wb") as out:
            out.write(data)


def deep(levels, inner="1"):
    return "[" * levels + inner + "]" * levels


FULL_POLICY = {
    "default": "drop",
    "hash_key_file": "good.key",
    "rules": [
        {"sensor": "temp.*", "action": "allow"},
        {"sensor": "door.[0-9]", "action": "hash"},
        {"sensor": "gps.*", "action": "mask"},
        {"sensor": "*.debug", "action": "drop"},
        {"sensor": "[!a-c]?x*y", "action": "allow"},
    ],
    "field_rules": [{"field": "owner", "action": "drop"}, {"field": "mac", "action": "hash"}],
    "field_default": "allow",
}

policies = [
    ("full", json.dumps(FULL_POLICY, indent=2)),
    ("empty", "{}"),
    ("allow-all", '{"default":"allow"}'),
    ("rules-only", '{"rules":[{"sensor":"a*","action":"allow"},{"sensor":"*b","action":"mask"}]}'),
    ("field-default-drop", '{"field_default":"drop","field_rules":[{"field":"id","action":"allow"}]}'),
    ("hash-open-key", '{"hash_key_file":"open.key","rules":[{"sensor":"x","action":"hash"}]}'),
    ("hash-short-key", '{"hash_key_file":"short.key","default":"hash"}'),
    ("hash-folder-key", '{"hash_key_file":"folder.key","field_default":"hash"}'),
    ("hash-no-key", '{"rules":[{"sensor":"x","action":"hash"}]}'),
    ("duplicate-top", '{"default":"drop","default":"allow"}'),
    ("duplicate-rules", '{"rules":[{"sensor":"secret.*","action":"drop"}],"rules":[]}'),
    ("duplicate-in-rule", '{"rules":[{"sensor":"a","sensor":"b","action":"drop"}]}'),
    ("nul-after", b'{"default":"drop"}\x00{"default":"allow"}'),
    ("nul-inside", b'{"default":"dr\x00op"}'),
    ("huge-number", '{"default":1e999}'),
    ("huge-number-unknown-key", '{"x":[-1e400],"default":"drop"}'),
    ("trailing", '{"default":"drop"} x'),
    ("deep", '{"rules":' + deep(20) + "}"),
    ("bad-glob", '{"rules":[{"sensor":"door.[0-9","action":"drop"}]}'),
    ("reversed-range", '{"rules":[{"sensor":"[z-a]","action":"drop"}]}'),
    ("unicode-glob", '{"rules":[{"sensor":"caf\\u00e9.*","action":"allow"},{"sensor":"\u00fc?","action":"mask"}]}'),
    ("unknown-key", '{"defualt":"allow"}'),
    ("not-object", "[1,2]"),
    ("empty-text", ""),
    ("bad-utf8", b'{"rules":[{"sensor":"\xff","action":"drop"}]}'),
    ("mask-field", '{"field_rules":[{"field":"owner","action":"mask"}]}'),
    ("escapes", '{"rules":[{"sensor":"a\\"b\\\\c\\/d\\ud83d\\ude00","action":"allow"}]}'),
    ("lone-surrogate", '{"rules":[{"sensor":"\\ud800","action":"allow"}]}'),
    ("whitespace", ' \n\t{ "default" :\r\n "mask" } \n'),
    ("many-rules", json.dumps({"rules": [{"sensor": "s%d.*" % i, "action": "drop"} for i in range(40)]})),
]

reading = {"sensor": "temp.room1", "timestamp_ms": 1732312345678, "value": 21.5, "unit": "C",
           "extra": {"owner": "alice", "mac": "aa:bb", "floor": 3, "tags": ["a", {"b": None}]}}
readings = [
    ("full", json.dumps(reading)),
    ("minimal", '{"sensor":"a","timestamp_ms":0,"value":0}'),
    ("null-value", '{"sensor":"gps.lat","timestamp_ms":-5,"value":null,"unit":"deg"}'),
    ("door-hash", '{"sensor":"door.3","timestamp_ms":1,"value":1,"extra":{"mac01":"x","owner":"y"}}'),
    ("debug-drop", '{"sensor":"x.debug","timestamp_ms":1,"value":2}'),
    ("batch", json.dumps([reading, {"sensor": "door.1", "timestamp_ms": 2, "value": -0.0}])),
    ("empty-batch", "[]"),
    ("big-timestamp", '{"sensor":"a","timestamp_ms":9223372036854775807,"value":1e308}'),
    ("too-big-timestamp", '{"sensor":"a","timestamp_ms":9223372036854775808,"value":1}'),
    ("float-timestamp", '{"sensor":"a","timestamp_ms":1.5,"value":1}'),
    ("huge-value", '{"sensor":"a","timestamp_ms":1,"value":1e999}'),
    ("duplicate-sensor", '{"sensor":"secret.a","sensor":"temp.b","timestamp_ms":1,"value":1}'),
    ("duplicate-in-extra", '{"sensor":"a","timestamp_ms":1,"value":1,"extra":{"k":1,"k":2}}'),
    ("nul-after", b'{"sensor":"a","timestamp_ms":1,"value":1}\x00garbage'),
    ("extra-64", '{"sensor":"a","timestamp_ms":1,"value":1,"extra":{"d":' + deep(63) + "}}"),
    ("extra-65", '{"sensor":"a","timestamp_ms":1,"value":1,"extra":{"d":' + deep(64) + "}}"),
    ("extra-very-deep", '{"sensor":"a","timestamp_ms":1,"value":1,"extra":{"d":' + deep(1500) + "}}"),
    ("extra-array", '{"sensor":"a","timestamp_ms":1,"value":1,"extra":[1]}'),
    ("extra-null", '{"sensor":"a","timestamp_ms":1,"value":1,"extra":null}'),
    ("unknown-field", '{"sensor":"a","timestamp_ms":1,"value":1,"valeu":2}'),
    ("missing-value", '{"sensor":"a","timestamp_ms":1}'),
    ("wrong-types", '{"sensor":1,"timestamp_ms":"1","value":"x"}'),
    ("unicode", '{"sensor":"caf\\u00e9","timestamp_ms":1,"value":1,"unit":"\u00b0C","extra":{"\u00fc":"\\ud83d\\ude00"}}'),
    ("bad-utf8", b'{"sensor":"\xc3\x28","timestamp_ms":1,"value":1}'),
    ("batch-bad-item", '[{"sensor":"a","timestamp_ms":1,"value":1},5]'),
    ("not-json", "sensor=a"),
    ("deep-array", deep(3000)),
    ("mask", '{"sensor":"gps.x","timestamp_ms":1,"value":3.25,"unit":"m","extra":{"mac":[1,{"a":2}]}}'),
    # Found by fuzz_reading: every field dropped left extra {} instead of null.
    ("found-all-fields-dropped", b'[{"sensor": "=emp.room1", "timestamp_ms": 1732312345678, "value": 21.5, '
     b'"unit": "C", "extra": {"owner":  ["a", {"b": null}]}}, {"sensor": "door.1", '
     b'"timestamp_ms": 2, "value": -0.0}]'),
]


def fdp_string(text):
    """A string as FuzzedDataProvider::ConsumeRandomLengthString reads it back."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    return text.replace(b"\\", b"\\\\") + b"\\ "


def batch_input(batch_id, payloads):
    return fdp_string(batch_id) + b"".join(fdp_string(p) for p in payloads)


good = [json.dumps({"sensor": "temp.room1", "timestamp_ms": i, "value": 21.5}) for i in range(3)]
bodies = [
    ("good", batch_input("batch-1", good)),
    ("empty", batch_input("batch-0", [])),
    ("nul-payload", batch_input("b", [good[0], good[1] + "\x00garbage", good[2]])),
    ("not-json", batch_input("b", ["{", "x", "", "nul\x00"])),
    ("trailing", batch_input("b", ['{"a":1} {"b":2}', "1 2", "[] "])),
    ("huge-number", batch_input("b", ["1e999", '{"v":-1e400}', "1e308"])),
    ("bad-utf8", batch_input(b"id\xff", [b'"\xff\xfe"', b"\xc3\x28"])),
    ("deep-100", batch_input("b", [deep(100)])),
    ("deep-101", batch_input("b", [deep(101)])),
    ("deep-strings", batch_input("b", ['["[[[[","{{{{"]', '"\\\\"', '"\\""'])),
    ("scalars", batch_input("b", ["true", "null", "-0", '"s"', "0.5e-3"])),
    ("duplicate-keys", batch_input("b", ['{"k":1,"k":2}'])),
    ("escapes", batch_input("b\"q", ['"\\u0000"', '"\\ud83d\\ude00"', '"\\ud800"'])),
    ("whitespace", batch_input("b", [" \n{}\t", "\r\n[1]"])),
    ("many", batch_input("b", good * 10)),
]

write("privacy_policy", policies)
write("reading", readings)
write("batch_body", bodies)
