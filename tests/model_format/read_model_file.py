#!/usr/bin/python3
"""Independent reader of shipml `.shipml` model files, written from docs/model-format.md alone.

usage: read_model_file.py MODEL.shipml DATA.csv   one line per row: value, or label,p_0,...,p_K-1
       read_model_file.py --check GOLDEN_DIR      compare NAME.shipml with NAME.expected.csv

"§" refers to a section of docs/model-format.md. Standard library and numpy only.
Implemented: every transformer; estimators linear, elastic_net, lasso, logistic, decision_tree,
random_forest, extra_trees, hist_gbdt, knn (directly computed distances). The others
(gaussian_nb, xgboost) are refused.
Format 3: calibration (sigmoid, isotonic; probability or log_odds input), the threshold, and a
knn's row weights. Any version: the header's encoded_means (read and checked; explanations only).
"""
import csv, json, math, os, re, signal, struct, sys
import numpy as np

MAGIC, NEWEST = b"\x89SHIPML\n", 3
SIGNATURE_MAGIC, SIGNATURE_BLOCK = b"\x89SHIPSIG", 104
ESTIMATORS = ["linear", "elastic_net", "lasso", "logistic", "gaussian_nb", "knn", "decision_tree",
              "random_forest", "extra_trees", "hist_gbdt", "xgboost"]                  # §9 table
IMPLEMENTED = set(ESTIMATORS) - {"gaussian_nb", "xgboost"}
TRANSFORMERS = ["standard_scaler", "robust_scaler", "minmax_scaler", "imputer", "one_hot", "ordinal",
                "frequency", "target_encoder", "binning", "date_parts", "polynomial",
                "drop_columns", "select_columns", "select_k_best"]                       # §7.2
LINEAR_FAMILY = {"linear", "elastic_net", "lasso", "logistic"}
TREE_FAMILY = {"decision_tree", "random_forest", "extra_trees", "hist_gbdt"}

class Refuse(Exception):
    """A refusal (§12): one line, in the reference's wording where the spec gives it."""

class NotImplementedHere(Refuse):
    """A known name this reader does not implement: refused rather than guessed (§12)."""

def corrupt(what):
    return Refuse("model body is corrupted: " + what)


# ----------------------------------------------------------------- §2 file layout, checksum
def fnv1a64(data):                                                   # §2.1
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h

def read_frame(b):
    """§2.2, checks in the reference's order. Returns (V, header bytes, body bytes).
    A signature block (§2.4) is dropped: this reader does not check signatures."""
    if len(b) > SIGNATURE_BLOCK and b[-SIGNATURE_BLOCK:-SIGNATURE_BLOCK + 8] == SIGNATURE_MAGIC:
        b = b[:-SIGNATURE_BLOCK]
    if len(b) < 8 or b[:8] != MAGIC:
        raise Refuse("not a shipml model file (no shipml magic bytes at the start)")
    if len(b) < 36:
        raise Refuse(f"truncated model file ({len(b)} bytes)")
    V = struct.unpack_from("<I", b, 8)[0]
    if V > NEWEST:
        raise Refuse(f"model format version {V} is newer than this shipml reads (3); upgrade shipml")
    if V == 0:
        raise Refuse("invalid model format version 0")
    end, pos, parts = len(b) - 8, 12, []
    for _ in range(2):                               # header, then body: each u64-length-prefixed
        n = struct.unpack_from("<Q", b, pos)[0] if end - pos >= 8 else None
        if n is None or n > end - pos - 8:
            raise Refuse("truncated model file (a section runs past the end)")
        parts.append(b[pos + 8:pos + 8 + n])
        pos += 8 + n
    if pos != end:
        raise Refuse("corrupted model file (unexpected bytes after the body)")
    if struct.unpack_from("<Q", b, end)[0] != fnv1a64(b[:end]):
        raise Refuse("corrupted model file (checksum mismatch)")
    return V, parts[0], parts[1]


# ----------------------------------------------------------------- §3 header
def need(obj, key, typ, optional=False, items=None):
    """obj[key] if it has JSON type typ (and its items type items); None if optional and absent."""
    v = obj.get(key) if isinstance(obj, dict) else None
    if v is None and optional:
        return None
    if not isinstance(v, typ) or items and not all(
            isinstance(i, items) for i in (v.values() if isinstance(v, dict) else v)):
        raise Refuse(f"corrupted model header: '{key}' is missing or has the wrong JSON type")
    return v

def parse_fields(fields):                            # §3.3 field objects
    out = []
    for f in fields:
        name, typ = need(f, "name", str), need(f, "type", str)
        if typ not in ("numeric", "categorical"):
            raise Refuse(f"unknown field type '{typ}'")
        cats = need(f, "categories", list, items=str) if typ == "categorical" else None
        out.append({"name": name, "type": typ, "categories": cats, "unseen": f.get("unseen")})
    return out

def parse_header(raw, V):
    try:
        h = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise Refuse(f"corrupted model header: {e}")
    est = need(h, "estimator", dict)
    name, params = need(est, "name", str), need(est, "params", dict, True, str) or {}   # §3.4
    task, classes, _ = need(h, "task", str), need(h, "classes", list, items=str), need(h, "target", str)
    schema, _ = parse_fields(need(h, "schema", list)), need(h, "metadata", dict, optional=True)
    if name not in ESTIMATORS:
        raise Refuse(f"cannot load: unknown estimator '{name}' (estimators: {', '.join(ESTIMATORS)})")
    if task not in ("classification", "regression"):
        raise Refuse(f"cannot load: unknown task '{task}' (classification, regression)")
    if len(classes) < 2 if task == "classification" else len(classes) > 0:
        raise Refuse("corrupted model file (task and classes disagree)")
    steps, out_schema = [], None
    if V >= 2:                                       # §3.2: a V = 1 file never has a pipeline
        for s in need(h, "pipeline", list, optional=True) or []:
            steps.append(check_step({"name": need(s, "name", str), "transformer": need(s, "transformer", str),
                                     "params": need(s, "params", dict, True, str) or {},
                                     "columns": need(s, "columns", list, True, str)}, steps))
        if steps:
            out_schema = parse_fields(need(h, "pipeline_output_schema", list))
    calibration, threshold = (parse_decision(h, task, classes) if V >= 3 else (None, None))  # §3.6
    pre = need(h, "preprocessing", dict, optional=True) or {}
    means = need(pre, "encoded_means", list, optional=True)   # §3.6, any version: explanations only
    if means is not None and not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in means):
        raise Refuse("corrupted model header: encoded_means holds something other than numbers")
    if name not in IMPLEMENTED:
        raise NotImplementedHere(f"estimator '{name}' is not implemented by this reader")
    return {"name": name, "params": params, "task": task, "classes": classes, "schema": schema,
            "steps": steps, "out_schema": out_schema, "calibration": calibration, "threshold": threshold,
            "encoded_means": means}

def parse_decision(h, task, classes):
    """§3.6: the calibration and threshold blocks of a format-3 header (None when absent)."""
    cal = need(h, "calibration", dict, optional=True)
    if cal is not None:
        method, inp, cv = need(cal, "method", str), need(cal, "input", str), need(cal, "cv", int)
        if task != "classification":
            raise Refuse("the header calibrates a regression model")
        if method not in ("sigmoid", "isotonic"):
            raise Refuse(f"cannot load: unknown calibration method '{method}' (methods: sigmoid, isotonic)")
        if inp not in ("probability", "log_odds"):
            raise Refuse(f"unknown calibration input '{inp}' (inputs: probability, log_odds)")
        if cv < 2:
            raise Refuse(f"the header's calibration cv is {cv} (at least 2)")
        cal = {"method": method, "input": inp}
    th = need(h, "threshold", dict, optional=True)
    if th is not None:
        value = need(th, "value", (int, float))
        if task != "classification" or len(classes) != 2:
            raise Refuse(f"the header's threshold is for two classes, and it names {len(classes)} classes")
        if not 0 <= value <= 1:
            raise Refuse(f"the header's threshold {value} is not a probability (0 to 1)")
        if "metric" in th and (need(th, "metric", str) == "" or need(th, "cv", int) < 2):
            raise Refuse("cannot load: the header's tuned threshold names no metric or fewer than 2 folds")
        th = float(value)
    return cal, th

def check_step(st, earlier):                         # §3.4 step objects, §12 load refusals
    t, p = st["transformer"], st["params"]
    if t not in TRANSFORMERS:
        raise Refuse(f"cannot load: unknown transformer '{t}' (transformers: {', '.join(TRANSFORMERS)})")
    if "." in st["name"] or any(e["name"] == st["name"] for e in earlier):
        raise Refuse(f"cannot load: step name '{st['name']}' contains '.' or is not unique")
    if t in ("date_parts", "drop_columns", "select_columns") and st["columns"] is None:
        raise Refuse(f"cannot load: step '{st['name']}' ({t}) needs columns")
    try:   # the defaults below are not in the spec; the writer writes every parameter (§3.4)
        if t == "minmax_scaler" and float(p.get("high", "1")) <= float(p.get("low", "0")):
            raise Refuse("cannot load: minmax_scaler: high must be greater than low")
        if t == "polynomial" and int(p.get("degree", "2")) > 3:
            raise Refuse("cannot load: polynomial: degree must be at most 3")
        if t == "imputer" and p.get("add_indicator", "false") not in ("true", "false"):
            raise ValueError(f"add_indicator='{p['add_indicator']}'")
    except ValueError as e:
        raise Refuse(f"cannot load: {st['name']}: invalid parameter ({e})")
    return st


# ----------------------------------------------------------------- §1, §4 body primitives
class Body:
    def __init__(self, data):
        self.b, self.p = data, 0
    def left(self):
        return len(self.b) - self.p
    def take(self, n):
        if n > self.left():
            raise corrupt("unexpected end of data")
        self.p += n
        return self.b[self.p - n:self.p]
    def scalar(self, fmt):                           # one scalar, or a tuple for a packed record
        v = struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))
        return v if len(v) > 1 else v[0]
    def count(self, item_size):                      # §4: checked before anything is allocated
        n = self.scalar("Q")
        if n * item_size > self.left():
            raise corrupt("a length runs past the end")
        return n
    def array(self, dtype):                          # array<T>
        dt = np.dtype(dtype)
        return np.frombuffer(self.take(self.count(dt.itemsize) * dt.itemsize), dtype=dt).copy()
    def str(self):                                   # bytes kept as they are (§1 does not say
        return self.take(self.count(1)).decode("utf-8", "surrogateescape")   # to refuse bad UTF-8)
    def strs(self):
        return [self.str() for _ in range(self.count(8))]


# ----------------------------------------------------------------- §8.1 encoder state
def read_encoder(r, enc_schema):
    encoding = r.scalar("B")
    if encoding > 1:
        raise corrupt("unknown feature encoding")
    plan = [dict(zip(("categorical", "categories", "center", "scale", "indicator"), r.scalar("?Qdd?")))
            for _ in range(r.count(26))]
    names = r.strs()
    if len(names) != sum(1 if encoding == 1 else p["categories"] if p["categorical"] else 1 + p["indicator"]
                         for p in plan):
        raise corrupt("encoder column names do not match its plan")
    if len(plan) != len(enc_schema) or any(
            p["categorical"] != (f["type"] == "categorical") or
            encoding == 0 and p["categorical"] and p["categories"] != len(f["categories"])
            for p, f in zip(plan, enc_schema)):
        raise Refuse("corrupted model file (preprocessing does not match the schema)")
    return {"encoding": encoding, "plan": plan, "W": len(names)}


# ----------------------------------------------------------------- §7.1 pipeline state
PER_INPUT = ("center", "scale", "numeric_fill", "category_fill", "had_missing", "cols", "values",
             "fallback", "edges", "with_hour")

def read_pipeline(r, steps):
    r.array("<u8")                                   # lineage (informational)
    for st in steps:
        st["inputs"] = r.strs()
        n = len(st["inputs"])
        if len(r.array("<u8")) != n:                 # sources (informational)
            raise corrupt(f"step '{st['name']}': sources and inputs differ in count")
        st["state"] = s = read_transformer(r, st["transformer"])
        if any(len(s[k]) != n for k in PER_INPUT if k in s) or s.get("width", n) != n:
            raise corrupt(f"step '{st['name']}': its state does not fit its {n} inputs")

def read_transformer(r, t):                          # §7.2, one state layout per transformer
    if t in ("standard_scaler", "robust_scaler", "minmax_scaler"):
        s = {"center": r.array("<f8"), "scale": r.array("<f8")}
        if t == "minmax_scaler":
            s["low"], s["span"] = r.scalar("d"), r.scalar("d")
    elif t == "imputer":
        s = {"numeric_fill": r.array("<f8"), "category_fill": r.strs(), "had_missing": r.array("u1")}
    elif t == "one_hot":
        s = {"cols": [(r.array("<i4"), r.strs()) for _ in range(r.count(16))]}
        if any(len(sl) and sl.max() >= len(nm) for sl, nm in s["cols"]):
            raise corrupt("one_hot: a slot is out of range")
    elif t in ("ordinal", "frequency"):
        s = {"values": [r.array("<f8") for _ in range(r.count(8))]}
        s["fallback"] = r.array("<f8")
    elif t == "target_encoder":
        s = {"overall": r.array("<f8"), "labels": r.strs(), "cols": []}
        K = len(s["overall"])
        for _ in range(r.count(8)):
            means = [r.array("<f8") for _ in range(r.count(8))]
            if len(s["labels"]) != K or any(len(m) != K for m in means):
                raise corrupt("target_encoder: a category has the wrong number of means")
            s["cols"].append(np.array(means).reshape(len(means), K))
    elif t == "binning":
        s = {"edges": [r.array("<f8") for _ in range(r.count(8))]}
    elif t == "date_parts":
        s = {"with_hour": r.array("u1")}
    elif t == "polynomial":
        s = {"width": r.scalar("Q")}
        s["terms"] = [r.array("<u8") for _ in range(r.count(8))]
        if any(len(tm) and tm.max() >= s["width"] for tm in s["terms"]):
            raise corrupt("polynomial: a term index is out of range")
    elif t in ("drop_columns", "select_columns"):
        s = {}                                       # no state: zero bytes
    else:                                            # select_k_best
        s = {"width": r.scalar("Q"), "kept": r.array("<u8"), "names": r.strs()}
        if len(s["kept"]) and s["kept"].max() >= s["width"]:
            raise corrupt("select_k_best: a kept index is out of range")
    return s


# ----------------------------------------------------------------- §9 estimator states
def read_cart(r, width, n_features):                 # §9.6 CART tree record
    t = {"w": r.scalar("I"), "feature": r.array("<i4"), "threshold": r.array("<f8"),
         "left": r.array("<i4"), "right": r.array("<i4"), "missing_left": r.array("u1"),
         "value": r.array("<f8"), "gain": r.array("<f8"), "samples": r.array("<f8")}
    n, i = len(t["feature"]), np.arange(len(t["feature"]))
    if t["w"] != width or n < 1 or len(t["value"]) != n * width or any(
            len(t[k]) != n for k in ("threshold", "left", "right", "missing_left", "gain", "samples")):
        raise corrupt("decision tree arrays do not fit together")
    f, lt, rt = t["feature"], t["left"], t["right"]
    if np.any((f != -1) & ((f < 0) | (f >= n_features) | (lt <= i) | (lt >= n) | (rt <= i) | (rt >= n))):
        raise corrupt("a decision tree split is out of range")
    return t

NODE = np.dtype([("left", "<i4"), ("payload", "<u4"), ("cut", "<f8"), ("feature", "<u2"),
                 ("threshold", "u1"), ("flags", "u1"), ("padding", "V4")])   # §9.7: 24 bytes

def read_ensemble(r, n_features, width):             # §9.7: binning record, then histogram trees
    F = r.count(25)
    if F != n_features:
        raise corrupt("binned features do not match n_features")
    code_to_bin = []
    for _ in range(F):
        r.scalar("?"), r.array("<f8")                # categorical flag, edges: not needed to predict
        ctb, btc = r.array("u1"), r.array("<i4")
        if np.any((ctb != 255) & (ctb >= len(btc))):
            raise corrupt("a code_to_bin entry is out of range")
        code_to_bin.append(ctb)
    trees = []
    for _ in range(r.count(40)):
        w, nodes, bits, values = r.scalar("I"), r.array(NODE), r.array("<u4"), r.array("<f8")
        n = len(nodes)
        if len(r.array("<f8")) != n or len(r.array("<f8")) != n or n < 1 or w != width:   # gain, cover
            raise corrupt("histogram tree arrays do not fit together")
        for i, (left, payload, feature, flags) in enumerate(
                zip(nodes["left"].tolist(), nodes["payload"].tolist(), nodes["feature"].tolist(),
                    nodes["flags"].tolist())):
            if (payload + 1) * w > len(values) if left < 0 else not (i < left and left + 1 < n and
                    feature < F) or flags & 2 and payload + 8 > len(bits):
                raise corrupt(f"histogram tree node {i} is out of range")
        trees.append({"w": w, "nodes": nodes, "bits": bits, "values": values})
    return {"code_to_bin": code_to_bin, "trees": trees}

def read_knn(r, V, W):                               # §9.5
    R, D = r.scalar("Q"), r.scalar("Q")
    points, y, K = r.array("<f8"), r.array("<f8"), r.scalar("Q")
    row_weights = r.array("<f8") if V >= 3 else np.zeros(0)  # format 3 on; empty: none
    if R < 1 or D != W or len(points) != R * D or len(y) != R:
        raise corrupt("knn: the points do not fit together")
    if len(row_weights) not in (0, R):
        raise corrupt("knn: one weight per training point expected")
    if not all(math.isfinite(w) and w > 0 for w in row_weights):
        raise corrupt("knn: a row weight is not a positive number")
    if K and not all(0 <= v < K and v == math.floor(v) for v in y):
        raise corrupt("knn: a class index out of range")
    return {"K": K, "points": points.reshape(R, D), "y": y, "row_weights": row_weights}

def estimate_knn(s, params, task, X):               # §9.5
    k = min(int(params.get("n_neighbors", "5")), len(s["y"]))
    algorithm = params.get("algorithm", "auto")
    brute = algorithm == "brute" or (algorithm == "auto" and X.shape[1] > 12)
    P, out = s["points"], []
    for x in X:
        if brute:                                    # max(0, |x|² + |p|² − 2 x·p); order unspecified (§11)
            d2 = np.maximum(0.0, x @ x + (P * P).sum(axis=1) - 2 * (P @ x))
        else:
            d2 = np.zeros(len(P))
            for j in range(X.shape[1]):              # Σ_j in feature order
                d2 += (x[j] - P[:, j]) ** 2
        near = np.argsort(d2, kind="stable")[:k]     # ties to the lower point index
        if params.get("weights", "uniform") == "distance":
            exact = d2[near] == 0
            w = exact.astype(float) if exact.any() else 1 / np.sqrt(d2[near])
        else:
            w = np.ones(k)
        if len(s["row_weights"]):
            w = w * s["row_weights"][near]
        if task == "regression":
            acc = tot = 0.0
            for m in range(k):
                acc += w[m] * s["y"][near[m]]; tot += w[m]
            out.append(acc / tot)
        else:
            p, tot = np.zeros(s["K"]), 0.0
            for m in range(k):
                p[int(s["y"][near[m]])] += w[m]; tot += w[m]
            out.append(p / tot)
    return np.array(out)

def read_estimator(r, name, W, K, V):
    if name == "knn":
        s = read_knn(r, V, W)
    elif name in ("linear", "elastic_net", "lasso"):   # §9.1, §9.2
        s = {"coef": r.array("<f8"), "intercept": r.scalar("d")}
        if name != "linear":
            r.scalar("Q"), r.scalar("d")             # iterations, duality gap (informational)
    elif name == "logistic":                         # §9.3
        s = {"K": r.scalar("I")}
        r.scalar("I"), r.scalar("?")                 # iterations, converged (informational)
        rows, weights = r.scalar("Q"), r.array("<f8")
        k = 1 if s["K"] == 2 else s["K"]
        if s["K"] < 2 or rows < 1 or len(weights) != rows * k or rows != W + 1:
            raise corrupt("logistic weights do not fit together")
        s["w"] = weights.reshape(k, rows).T          # column-major: column c is [c*rows, (c+1)*rows)
    else:                                            # tree models
        s = {"K": r.scalar("I"), "F": r.scalar("Q")}
        if s["F"] != W:
            raise corrupt("n_features does not match the encoder's width")
        if name == "decision_tree":                  # §9.6
            s["tree"] = read_cart(r, max(1, s["K"]), s["F"])
        elif name in ("random_forest", "extra_trees"):   # §9.8
            r.scalar("d")                            # oob_score (informational)
            s["ens"] = read_ensemble(r, s["F"], max(1, s["K"]))
            if not s["ens"]["trees"]:
                raise corrupt("a forest without trees")
        else:                                        # hist_gbdt, §9.9
            s["loss"] = r.scalar("B")
            if s["loss"] > 4:
                raise corrupt("unknown boosting loss")
            s["baseline"], s["Kp"] = r.array("<f8"), s["K"] if s["K"] > 2 else 1
            r.scalar("Q"), r.array("<f8")            # best_round, validation_loss (informational)
            s["ens"] = read_ensemble(r, s["F"], 1)
            if len(s["baseline"]) != s["Kp"] or len(s["ens"]["trees"]) % s["Kp"]:
                raise corrupt("boosting baseline or tree count does not fit the classes")
    if K and s.get("K", K) != K:
        raise corrupt("the estimator's class count does not match the header's classes")
    return s

def load_model(path):
    with open(path, "rb") as f:
        V, raw_header, raw_body = read_frame(f.read())
    hdr = parse_header(raw_header, V)
    r = Body(raw_body)                               # §4: encoder, pipeline, estimator
    enc = read_encoder(r, hdr["out_schema"] if hdr["steps"] else hdr["schema"])
    if hdr["encoded_means"] is not None and len(hdr["encoded_means"]) != enc["W"]:
        raise Refuse(f"the header's encoded_means has {len(hdr['encoded_means'])} numbers for {enc['W']} "
                     "encoded features")
    if hdr["steps"]:
        read_pipeline(r, hdr["steps"])
    est = read_estimator(r, hdr["name"], enc["W"], len(hdr["classes"]), V)
    cal = read_calibrator(r, hdr["calibration"], len(hdr["classes"])) if hdr["calibration"] else None
    if r.left():
        raise Refuse("corrupted model file (unexpected bytes after the fitted state)")
    return {"hdr": hdr, "enc": enc, "est": est, "cal": cal}

def read_calibrator(r, cal, K):                      # §10.1 calibrator state
    C, expected = r.scalar("Q"), 1 if K == 2 else K
    if C != expected:
        raise corrupt(f"calibration: {C} calibrators for {K} classes ({expected} expected: "
                      + ("one, for the second class)" if K == 2 else "one per class)"))
    maps = []
    for c in range(C):
        which = f"calibration: calibrator {c + 1}: "
        if cal["method"] == "sigmoid":
            a, b = r.scalar("d"), r.scalar("d")
            if not (math.isfinite(a) and math.isfinite(b)):
                raise corrupt(which + "a sigmoid parameter is not a number")
            maps.append((a, b))
            continue
        x, y = r.array("<f8"), r.array("<f8")
        if len(x) == 0 or len(x) != len(y):
            raise corrupt(which + f"{len(x)} thresholds but {len(y)} values (as many, at least one)")
        if not np.all(np.isfinite(x)) or np.any(np.diff(x) <= 0):
            raise corrupt(which + "thresholds not increasing")
        if np.any(~((y >= 0) & (y <= 1))) or np.any(np.diff(y) < 0):
            raise corrupt(which + "values not non-decreasing probabilities")
        maps.append((x, y))
    return {"method": cal["method"], "input": cal["input"], "maps": maps}


# ----------------------------------------------------------------- §5 input columns from CSV
MISSING = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"}
NUMBER = re.compile(r"-?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf|infinity|nan))")

def read_csv(path):
    """§5: a column of numbers (NaN missing) when every present cell is a number, else of text."""
    with open(path, newline="", encoding="utf-8") as f:
        head, *rows = [row for row in csv.reader(f) if row]
    if any(len(row) != len(head) for row in rows):
        raise Refuse(f"{path}: rows must have as many cells as the header")
    cols = {}
    for j, name in enumerate(head):
        cells = [None if row[j] in MISSING else row[j] for row in rows]
        if all(c is None or NUMBER.fullmatch(c) for c in cells):
            cols[name] = ("numeric", np.array([math.nan if c is None else float(c) for c in cells]))
        else:
            cols[name] = ("text", cells)
    return cols

def number_to_text(v):
    """§6 'Number to text': the shorter of %.Nf and %.Ne with least N that reads back; %f on a tie."""
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    f, e = (next(t for n in range(1100) for t in [f"%.{n}{c}" % v] if float(t) == v) for c in "fe")
    return e if len(e) < len(f) else f


# ----------------------------------------------------------------- §6 schema conform
def conform(schema, inputs):
    """Columns as (name, kind, data, dictionary): numeric f64, or categorical i32 codes (-1 missing)."""
    out = []
    for f in schema:
        name = f["name"]
        if name not in inputs:
            raise Refuse(f"missing column '{name}'")
        kind, data = inputs[name]
        if f["type"] == "numeric":
            if kind == "text":
                for i, c in enumerate(data):
                    if c is not None and not NUMBER.fullmatch(c):
                        raise Refuse(f"column '{name}' must be numeric, but row {i + 1} has '{c}'")
                data = np.array([math.nan if c is None else float(c) for c in data])
            out.append((name, "numeric", data, None))
            continue
        index = {c: i for i, c in enumerate(f["categories"])}
        numeric_dict = any(NUMBER.fullmatch(c) for c in f["categories"])
        codes = np.full(len(data), -1, dtype=np.int32)
        for i, v in enumerate(data):
            if v is None or kind == "numeric" and math.isnan(v):
                continue                             # missing stays missing: -1
            text = number_to_text(v) if kind == "numeric" else v
            if text in index:
                codes[i] = index[text]
            elif kind == "numeric" and not numeric_dict:
                raise Refuse(f"column '{name}' holds categories, but row {i + 1} has the number {text}")
            elif f["unseen"] == "error":
                raise Refuse(f"column '{name}', row {i + 1}: '{text}' is a category the model never saw")
        out.append((name, "categorical", codes, list(f["categories"])))
    return out


# ----------------------------------------------------------------- §7.2 applying pipeline steps
def parse_date(text):
    """§7.2 date_parts: (year, month, day, weekday, hour), or None when not a valid date."""
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", text[:10])
    t = re.match(r"[T ]([0-9]{1,2}):([0-9]{1,2})", text[10:]) if len(text) > 10 else None
    if not m or len(text) > 10 and (not t or int(t.group(1)) > 23 or int(t.group(2)) > 59):
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]):
        return None
    yy = y - (mo < 3)
    s = (yy + yy // 4 - yy // 100 + yy // 400 + [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4][mo - 1] + d) % 7
    return y, mo, d, (s + 6) % 7, int(t.group(1)) if t else 0

def apply_step(st, cols):
    """One transformer on its input columns (given in inputs order); returns its output columns."""
    t, s, out = st["transformer"], st["state"], []
    num = lambda name, v: out.append((name, "numeric", np.asarray(v, dtype=np.float64), None))
    for j, (name, kind, x, dic) in enumerate(cols):
        if t in ("standard_scaler", "robust_scaler", "minmax_scaler"):
            v = (x - s["center"][j]) / s["scale"][j]
            num(name, v * s["span"] + s["low"] if t == "minmax_scaler" else v)
        elif t == "imputer":
            miss = np.isnan(x) if kind == "numeric" else x < 0
            if kind == "numeric":
                num(name, np.where(miss, s["numeric_fill"][j], x))
            else:                                    # the fill category is appended if new
                fill = s["category_fill"][j]
                d2 = dic if fill in dic else dic + [fill]
                out.append((name, "categorical", np.where(miss, d2.index(fill), x).astype(np.int32), d2))
            if st["params"].get("add_indicator", "false") == "true" and s["had_missing"][j]:
                num(name + "_missing", miss)
        elif t == "one_hot":
            slots, names = s["cols"][j]
            m, rows = np.zeros((len(x), len(names))), np.nonzero((x >= 0) & (x < len(slots)))[0]
            rows = rows[slots[x[rows]] >= 0]
            m[rows, slots[x[rows]]] = 1.0
            for k, nm in enumerate(names):
                num(nm, m[:, k])
        elif t in ("ordinal", "frequency"):
            vals, ok = s["values"][j], (x >= 0) & (x < len(s["values"][j]))
            num(name, np.where(ok, vals[np.where(ok, x, 0)] if len(vals) else 0.0, s["fallback"][j]))
        elif t == "target_encoder":
            means, ok = s["cols"][j], (x >= 0) & (x < len(s["cols"][j]))
            for k, lab in enumerate(s["labels"]):
                v = means[np.where(ok, x, 0), k] if len(means) else 0.0
                num(name if len(s["labels"]) == 1 else f"{name}={lab}", np.where(ok, v, s["overall"][k]))
        elif t == "binning":                         # fewer than two edges: unchanged (§14)
            e = s["edges"][j]
            num(name, x if len(e) < 2 else np.where(np.isnan(x), np.nan,
                                                      np.searchsorted(e[1:-1], x, side="right")))
        elif t == "date_parts":
            parts = np.full((len(x), 5), np.nan)
            for code in np.unique(x[x >= 0]):        # only texts that rows use are checked
                p = parse_date(dic[code])
                if p is None:
                    raise Refuse(f"column '{name}': '{dic[code]}' is not an ISO-8601 date")
                parts[x == code] = p
            for k, part in enumerate(["year", "month", "day", "weekday", "hour"][:4 + bool(s["with_hour"][j])]):
                num(f"{name}_{part}", parts[:, k])
    if t == "polynomial":
        for term in s["terms"]:
            v = np.ones(len(cols[0][2]))
            for i in term:                           # start from 1.0, multiply in list order
                v = v * cols[i][2]
            num("*".join(cols[i][0] for i in term), v)
    elif t == "select_k_best":
        out = [cols[i] for i in s["kept"]]
    return out                                       # drop_columns, select_columns: no outputs

INPUT_KIND = dict.fromkeys(["standard_scaler", "robust_scaler", "minmax_scaler", "binning", "polynomial"],
                          "numeric") | dict.fromkeys(["one_hot", "ordinal", "frequency", "target_encoder",
                                                      "date_parts"], "categorical")

def run_pipeline(steps, cols):
    for st in steps:
        names = [c[0] for c in cols]
        gone = [n for n in st["inputs"] if n not in names]
        if gone:
            raise Refuse(f"step '{st['name']}': the column '{gone[0]}' it was fitted on is gone")
        pos = [names.index(n) for n in st["inputs"]]
        wrong = [cols[p][0] for p in pos if INPUT_KIND.get(st["transformer"], cols[p][1]) != cols[p][1]]
        if wrong:                                    # §7.2 says which kind each transformer takes
            raise Refuse(f"step '{st['name']}': the column '{wrong[0]}' is not {INPUT_KIND[st['transformer']]}")
        outputs = apply_step(st, [cols[p] for p in pos])
        at = min(pos, default=len(cols))             # outputs go where the leftmost input was
        cols = [c for i, c in enumerate(cols[:at]) if i not in pos] + outputs + \
               [c for i, c in enumerate(cols) if i > at and i not in pos]
    return cols


# ----------------------------------------------------------------- §8.2 encoding
def encode(enc, cols, N):
    X = []
    for p, (name, kind, x, dic) in zip(enc["plan"], cols):
        if enc["encoding"] == 1:                     # ordinal: codes as doubles, -1 becomes NaN
            X.append(x if kind == "numeric" else np.where(x < 0, np.nan, x))
        elif kind == "categorical":                  # one_hot_scaled
            X.extend((x == k).astype(np.float64) for k in range(p["categories"]))
        else:
            X.append(np.where(np.isnan(x), 0.0, (x - p["center"]) / p["scale"]))
            if p["indicator"]:
                X.append(np.isnan(x).astype(np.float64))
    return np.column_stack(X).astype(np.float64) if X else np.zeros((N, 0))


# ----------------------------------------------------------------- §9 predictions
def softmax(z):                                      # maximum subtracted; sum in class order
    e = np.exp(z - z.max(axis=1, keepdims=True))
    total = e[:, 0].copy()
    for k in range(1, e.shape[1]):
        total += e[:, k]
    return e / total[:, None]

def sigmoid_pair(z):                                 # p1 = 1/(1+exp(-z)), p0 = 1 - p1
    p1 = 1.0 / (1.0 + np.exp(-z))
    return np.column_stack([1.0 - p1, p1])

def calibration_scores(inp, P):                       # §10.1 scores S from P
    K = P.shape[1]
    if inp == "probability":
        return P[:, 1:2] if K == 2 else P
    ln = np.log(np.maximum(P, 2.0 ** -52))
    if K == 2:
        return (ln[:, 1] - ln[:, 0])[:, None]
    total = ln[:, 0].copy()
    for k in range(1, K):                            # summed in class order
        total += ln[:, k]
    return ln - (total / K)[:, None]

def isotonic_map(x, y, s):                           # numpy.interp of the clipped score
    return np.full_like(s, y[0]) if len(x) == 1 else np.interp(np.clip(s, x[0], x[-1]), x, y)

def calibrate(cal, P):
    S, K = calibration_scores(cal["input"], P), P.shape[1]
    Q = np.zeros_like(P)
    for j, m in enumerate(cal["maps"]):
        s = S[:, j]
        q = 1.0 / (1.0 + np.exp(m[0] * s + m[1])) if cal["method"] == "sigmoid" else isotonic_map(*m, s)
        Q[:, 1 if K == 2 else j] = q
    if K == 2:
        Q[:, 0] = 1.0 - Q[:, 1]
    else:
        total = Q[:, 0].copy()
        for k in range(1, K):
            total += Q[:, k]
        Q = np.where(total[:, None] != 0, Q / np.where(total == 0, 1.0, total)[:, None], 1.0 / K)
    return np.where((Q > 1.0) & (Q <= 1.0 + 1e-5), 1.0, Q)

def walk_cart(t, X):                                 # §9.6 traversal of all rows at once
    node = np.zeros(len(X), dtype=np.int64)
    while True:
        act = np.nonzero(t["feature"][node] != -1)[0]
        if not len(act):
            return t["value"][node[:, None] * t["w"] + np.arange(t["w"])]
        nd = node[act]
        v = X[act, t["feature"][nd]]
        go_left = np.where(np.isnan(v), t["missing_left"][nd] != 0, v <= t["threshold"][nd])
        node[act] = np.where(go_left, t["left"][nd], t["right"][nd])

def walk_hist(tree, code_to_bin, X):                 # §9.7 traversal; returns leaf values (N x w)
    nodes, node = tree["nodes"], np.zeros(len(X), dtype=np.int64)
    while True:
        act = np.nonzero(nodes["left"][node] >= 0)[0]
        if not len(act):
            break
        nd = nodes[node[act]]
        v = X[act, nd["feature"].astype(np.int64)]
        go_left = np.where(np.isnan(v), (nd["flags"] & 1) != 0, v <= nd["cut"])
        for i in np.nonzero(nd["flags"] & 2)[0]:     # categorical split: bin 255 = no bin / missing
            ctb, vi = code_to_bin[nd["feature"][i]], v[i]
            b = 255 if math.isnan(vi) or vi < 0 or vi >= len(ctb) else int(ctb[int(vi)])
            go_left[i] = (int(tree["bits"][int(nd["payload"][i]) + b // 32]) >> (b % 32)) & 1
        node[act] = nd["left"] + np.where(go_left, 0, 1)
    leaf = nodes["payload"][node].astype(np.int64)
    return tree["values"][leaf[:, None] * tree["w"] + np.arange(tree["w"])]

def estimate(name, s, task, X, params):
    """§9: values (N,) for regression, probabilities (N, K) for classification."""
    N, W = X.shape
    if name == "knn":
        return estimate_knn(s, params, task, X)
    if name in ("linear", "elastic_net", "lasso") and len(s["coef"]) != W:
        raise Refuse(f"{name}: {len(s['coef'])} coefficients for {W} encoded columns")
    if name == "linear":                             # §9.1; Eigen's summation order (§11)
        return X @ s["coef"] + s["intercept"]
    if name in ("elastic_net", "lasso"):             # §9.2: in order, skipping zero coefficients
        acc = np.full(N, s["intercept"])
        for j in np.nonzero(s["coef"])[0]:
            acc = acc + s["coef"][j] * X[:, j]
        return acc
    if name == "logistic":                           # §9.3: z_c = sum_j x_j w[j][c] + w[W][c]
        z = X @ s["w"][:W] + s["w"][W]
        return sigmoid_pair(z[:, 0]) if s["K"] == 2 else softmax(z)
    if name == "decision_tree":                      # §9.6: the leaf's values
        vals = walk_cart(s["tree"], X)
        return vals if task == "classification" else vals[:, 0]
    leaves = [walk_hist(t, s["ens"]["code_to_bin"], X) for t in s["ens"]["trees"]]
    if name in ("random_forest", "extra_trees"):     # §9.8: add in tree order, then divide by T
        acc = np.zeros_like(leaves[0])
        for v in leaves:
            acc = acc + v
        acc = acc / len(leaves)
        return acc if task == "classification" else acc[:, 0]
    if s["Kp"] == 1:                                 # hist_gbdt, §9.9
        raw = np.full(N, s["baseline"][0])
        for v in leaves:
            raw = raw + v[:, 0]
    else:                                            # tree t adds to class t mod K'
        sums = np.zeros((N, s["Kp"]))
        for t, v in enumerate(leaves):
            sums[:, t % s["Kp"]] += v[:, 0]
        raw = s["baseline"] + sums
    if task == "regression":
        return np.exp(raw) if s["loss"] == 4 else raw
    return sigmoid_pair(raw) if s["Kp"] == 1 else softmax(raw)

def predict(model, inputs):
    """§5: conform, pipeline, encode, estimate. Returns (labels or None, values or probabilities)."""
    hdr = model["hdr"]
    cols = conform(hdr["schema"], inputs)
    N = len(next(iter(inputs.values()))[1]) if inputs else 0
    if hdr["steps"]:
        cols = run_pipeline(hdr["steps"], cols)
        if [(c[0], c[1]) for c in cols] != [(f["name"], f["type"]) for f in hdr["out_schema"]]:
            raise Refuse("the pipeline output does not match pipeline_output_schema")
    out = estimate(hdr["name"], model["est"], hdr["task"], encode(model["enc"], cols, N), hdr["params"])
    if hdr["task"] == "regression":
        return None, out
    if out.shape[1] != len(hdr["classes"]):
        raise corrupt("the estimator's class count does not match the header's classes")
    if model["cal"]:
        out = calibrate(model["cal"], out)           # §10.1
    if hdr["threshold"] is not None:                 # §10.2: classes[1] from the threshold on
        return [hdr["classes"][int(p >= hdr["threshold"])] for p in out[:, 1]], out
    return [hdr["classes"][i] for i in np.argmax(out, axis=1)], out   # §10: ties to lowest index


# ----------------------------------------------------------------- command line
def fmt(v):
    t = repr(float(v))
    return t[:-2] if t.endswith(".0") else t

def find_data(golden_dir, name):                     # the golden folder, else data/ in a parent
    d = os.path.abspath(golden_dir)
    if os.path.exists(os.path.join(d, name)):
        return os.path.join(d, name)
    while not os.path.exists(os.path.join(d, "data", name)):
        if d == os.path.dirname(d):
            raise Refuse(f"data file '{name}' not found")
        d = os.path.dirname(d)
    return os.path.join(d, "data", name)

def check_one(golden_dir, stem):
    model = load_model(os.path.join(golden_dir, stem + ".shipml"))
    with open(os.path.join(golden_dir, stem + ".data")) as f:
        labels, out = predict(model, read_csv(find_data(golden_dir, f.read().strip())))
    with open(os.path.join(golden_dir, stem + ".expected.csv"), newline="") as f:
        head, *rows = list(csv.reader(f))
    if head != ["prediction"] + ["proba_" + c for c in model["hdr"]["classes"]] or len(rows) != len(out):
        return model, False, f"expected CSV has columns {head[:3]}... and {len(rows)} rows; got {len(out)}"
    got = np.asarray(out, dtype=np.float64).reshape(len(out), -1)
    exp = np.array([[float(v) for v in (r if labels is None else r[1:])] for r in rows]).reshape(got.shape)
    bad = 0 if labels is None else sum(a != r[0] for a, r in zip(labels, rows))
    scale = np.maximum(np.abs(got), np.abs(exp))
    dev = float(np.max(np.abs(got - exp) / np.where(scale == 0, 1.0, scale), initial=0.0))
    return model, bad == 0 and dev <= 1e-9, f"{len(out)} rows, {bad} label mismatches, max rel. dev {dev:.3g}"

def check(golden_dir):
    failed, checked = 0, set()
    stems = sorted(f[:-len(".shipml")] for f in os.listdir(golden_dir) if f.endswith(".shipml"))
    for stem in stems:
        try:
            model, ok, msg = check_one(golden_dir, stem)
        except NotImplementedHere as e:
            print(f"SKIP {stem}: {e}")
            continue
        except (Refuse, OSError) as e:
            print(f"FAIL {stem}: refused: {e}")
            failed += 1
            continue
        checked.add((stem, model["hdr"]["name"]))
        failed += not ok
        print(f"{'OK  ' if ok else 'FAIL'} {stem} ({model['hdr']['name']}): {msg}")
    kinds = {name for _, name in checked}
    enough = len(checked) >= 3 and kinds & LINEAR_FAMILY and kinds & TREE_FAMILY
    print(f"{len(checked)} checked, {failed} failed" +
          ("" if enough else "; too few checked (need 3, a linear-family and a tree model among them)"))
    return 0 if failed == 0 and enough else 1

def main(argv):
    np.seterr(all="ignore")                          # IEEE arithmetic, as the reference (§11)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)    # quiet when piped into head
    if len(argv) == 3 and argv[1] == "--check":
        return check(argv[2])
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        labels, out = predict(load_model(argv[1]), read_csv(argv[2]))
    except Refuse as e:
        print(f"{os.path.basename(argv[1])}: {e}", file=sys.stderr)
        return 1
    for i in range(len(out)):
        print(fmt(out[i]) if labels is None else ",".join([labels[i]] + [fmt(p) for p in out[i]]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
