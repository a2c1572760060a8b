"""The reason catalogue: why a village's dataset failed, one entry per code (issue 8).

Collectors raise every failure with a code and its values (collectors/model.py: Reason); the
warehouse keeps them beside the original English text (fetch_log.error_code / error_params,
dataset_status.last_error_code / last_error_params) and dashboard/reasons.py renders them here.
`{tempat}` (where in the answer it went wrong) is never part of a text: the renderer puts it
before the reason, as the English original does. Numbers are shown the Indonesian way.

Also here: the words the renderer puts into values (`alasan.kata.*`: words of a place,
`alasan.nilai.*`: a column or row named by a value, `alasan.mirip.*`: what the rows look like)
and the reason columns' headers.
"""

ID = {
    # -- HTTP and the network (collectors/http.py) --------------------------------------------
    "alasan.http.timeout": "tidak ada jawaban dalam {detik} detik (batas waktu habis)",
    "alasan.http.retries": "menyerah setelah beberapa kali mencoba: {detail}",
    "alasan.http.connection": "tidak dapat terhubung ke sistem desa: {detail}",
    "alasan.http.request": "permintaan gagal: {detail}",
    "alasan.http.too_large": "jawaban terlalu besar: {besar} byte (batas {batas})",
    "alasan.http.too_large_stream": "jawaban terlalu besar: lebih dari {batas} byte",
    "alasan.http.slow_drip": (
        "jawaban datang terlalu lambat (lebih dari {detik} detik); pengambilan dihentikan"
    ),
    "alasan.http.unauthorized": (
        "HTTP {http_status}: token salah atau kedaluwarsa (periksa token di registri)"
    ),
    "alasan.http.forbidden": "HTTP {http_status}: akses ditolak",
    "alasan.http.not_found": (
        "HTTP {http_status}: alamat API tidak ditemukan (base_url atau adaptor salah?)"
    ),
    "alasan.http.rate_limited": (
        "HTTP {http_status}: terlalu banyak permintaan, masih dibatasi setelah menunggu"
    ),
    "alasan.http.server_error": "HTTP {http_status}: galat server di desa",
    "alasan.http.unexpected": "HTTP {http_status}: jawaban tak terduga",
    # -- the answer as a document -------------------------------------------------------------
    "alasan.json.invalid": "JSON tidak sah: {detail}",
    "alasan.json.not_json": "jawaban bukan JSON ({detail})",
    "alasan.json.expected_object": "seharusnya objek JSON, bukan {tipe}",
    "alasan.jsonapi.no_data": "seharusnya objek JSON:API dengan daftar data",
    "alasan.jsonapi.no_attributes": "entri data tanpa atribut",
    "alasan.jsonapi.item_no_attributes": "butir {nomor} tanpa atribut",
    "alasan.jsonapi.item_no_id": "butir {nomor} tanpa id",
    "alasan.document.not_object": "dokumen tidak sah: seharusnya objek JSON",
    "alasan.document.schema": "versi skema {nilai} tidak dikenal (seharusnya '{harapan}')",
    "alasan.document.kode_invalid": "kode desa {nilai} di dokumen bukan kode wilayah",
    "alasan.document.kode_wrong": (
        "kode desa salah: dokumen menyebut {kode}, registri menyebut {kode_registri}"
    ),
    "alasan.document.missing": "tidak ada dalam dokumen",
    "alasan.payload.expected_counts": "seharusnya objek berisi {field}",
    "alasan.payload.expected_list": "seharusnya daftar",
    "alasan.payload.not_object": "bukan objek",
    "alasan.field.missing": "{field} tidak ada",
    "alasan.field.required": "{field} wajib diisi",
    "alasan.field.not_year": "{field} {nilai} bukan tahun",
    "alasan.field.not_text": "seharusnya teks, bukan {tipe}",
    "alasan.field.too_long": "{jumlah} karakter, lebih dari {batas}",
    "alasan.item.no_id": "sebuah butir tanpa id",
    "alasan.item.twice": "tercantum dua kali",
    "alasan.items.too_many": "{jumlah} butir, lebih dari {batas}",
    "alasan.items.too_many_pages": "lebih dari {batas} butir dalam {halaman} halaman; dihentikan",
    "alasan.pages.too_many": "lebih dari {batas} halaman; dihentikan",
    # -- counts and sums ------------------------------------------------------------------------
    "alasan.count.not_number": "jumlah {nilai} bukan angka",
    "alasan.count.not_whole": "jumlah {nilai} bukan bilangan bulat",
    "alasan.count.negative": "jumlah negatif: {nilai}",
    "alasan.sum.rows_total": (
        "baris ({baris}) + belum mengisi ({belum}) = {jumlah}, padahal {kolom} {total}"
    ),
    "alasan.sum.sexes": (
        "laki-laki ({laki}) + perempuan ({perempuan}) tidak sama dengan jumlah ({jumlah})"
    ),
    "alasan.sum.no_recipients": ("tidak ada baris JUMLAH (666): banyaknya penerima yang berbeda"),
    "alasan.sum.recipients_over_rows": (
        "{penerima} penerima berbeda ({kolom}), padahal baris-baris program hanya berjumlah {baris}"
    ),
    "alasan.summary.missing": "tidak ada baris ringkasan {baris} ({jenis})",
    "alasan.summary.twice": "baris ringkasan {baris} muncul dua kali",
    # -- categories and age brackets ------------------------------------------------------------
    "alasan.category.duplicate": "kode kategori ganda: {kode}",
    "alasan.category.no_code": "kode kategori tidak ada",
    "alasan.category.no_id": "sebuah baris ({label}) tanpa id",
    "alasan.category.too_long": "label atau id lebih dari {batas} karakter",
    "alasan.category.too_many": "{jumlah} baris, lebih dari {batas} kategori",
    "alasan.category.other_statistic": (
        "desa {kode_desa} menjawab dengan kategori {baris}, yang bukan kategori {statistik}{mirip}"
    ),
    "alasan.age.no_bounds": (
        "baris {baris} tidak membawa dari/sampai, jadi bukan rentang umur{mirip}"
    ),
    "alasan.age.no_kriteria": "rentang umur tanpa umur_dari/umur_sampai dalam kriteria",
    "alasan.age.range": "rentang umur {dari}–{sampai} tidak berada dalam 0–{batas}",
    "alasan.age.overlap": (
        "rentang umur {kode} ({dari}–{sampai}) dan {kode_2} ({dari_2}–{sampai_2}) tumpang "
        "tindih; desa harus membetulkannya di OpenSID"
    ),
    "alasan.bdt.rows": "ada baris kategori {baris}, padahal OpenSID 2508 tidak mengirimnya{mirip}",
    "alasan.bdt.no_jumlah": "tidak ada baris JUMLAH ({baris}): rumah tangga dalam BDT",
    # -- money, projects, aid -------------------------------------------------------------------
    "alasan.amount.not_number": "nilai {nilai} bukan angka",
    "alasan.amount.negative": "nilai negatif: {nilai}",
    "alasan.apbdes.not_sum": "{ukuran} {nilai} bukan jumlah sub-akunnya ({jumlah})",
    "alasan.apbdes.account_code": "{nilai} bukan kode rekening",
    "alasan.apbdes.account_twice": "akun {akun} muncul dua kali",
    "alasan.progress.over_100": "progres {nilai} lebih dari 100%",
    "alasan.progress.not_percent": "{nilai} bukan persentase",
    "alasan.bantuan.sasaran": "sasaran {nilai} bukan 1–4",
    "alasan.bantuan.no_program": "baris penerima tanpa id program",
    "alasan.bantuan.no_peserta": "baris penerima tanpa peserta",
    # -- the village as a whole -----------------------------------------------------------------
    "alasan.village.deadline": "desa memerlukan lebih dari {detik} detik seluruhnya",
    "alasan.skipped.no_answer": "dilewati: desa tidak menjawab tepat waktu pada {bagian}",
    "alasan.skipped.deadline": "dilewati: desa memerlukan lebih dari {detik} detik seluruhnya",
    "alasan.skipped.rate_limited": (
        "dilewati: sumber terus menolak permintaan (HTTP 429) pada {bagian}"
    ),
    # -- API Database Gabungan ------------------------------------------------------------------
    "alasan.gabungan.token_invalid": (
        "token Database Gabungan di registri tidak dapat dipakai: isinya harus token Sanctum "
        "server (id|rahasia) atau email:kata sandi"
    ),
    "alasan.gabungan.token_missing": (
        "perlu token di registri: token Sanctum server, atau email:kata sandi untuk masuk"
    ),
    "alasan.gabungan.signin_wrong": (
        "masuk ditolak (HTTP 401): email atau kata sandi di token registri salah"
    ),
    "alasan.gabungan.signin_locked": (
        "masuk ditolak (HTTP 403): server mengunci masuk selama 10 menit setelah 5 kali gagal "
        "dari alamat ini; periksa token registri, lalu tunggu"
    ),
    "alasan.gabungan.signin_refused": (
        "masuk ditolak (HTTP {http_status}): server tidak menerima email dan kata sandinya"
    ),
    "alasan.gabungan.signin_waiting": (
        "masuk ditolak sebelumnya (HTTP {http_status}); belum dicoba lagi"
    ),
    "alasan.gabungan.no_access_token": "jawaban tidak berisi access_token yang dapat dipakai",
    "alasan.gabungan.filters_refused": "HTTP 400: server menolak saringan permintaan",
    "alasan.gabungan.forbidden": (
        "HTTP 403: token tidak berhak membaca ini (kemampuan Sanctum tidak ada)"
    ),
    "alasan.gabungan.server_error": (
        "HTTP 500: galat server (server juga menjawab 500 untuk statistik yang tidak dimilikinya)"
    ),
    "alasan.gabungan.token_refused": "HTTP 401: server menolak token (dihapus atau dibuat ulang?)",
    "alasan.gabungan.token_refused_again": (
        "HTTP 401: server menolak token, juga setelah masuk ulang"
    ),
    "alasan.gabungan.desa_twice": "lebih dari satu desa memakai kode_desa {kode}",
    "alasan.gabungan.desa_other": "diminta kode_desa {kode}, server menjawab {jawaban}",
    "alasan.gabungan.no_config_id": "tidak ada id config untuk kode_desa {kode}",
    "alasan.gabungan.desa_unknown": (
        "server tidak mengenal kode_desa {kode} maupun {kode_2}; apakah desa ini ada di "
        "Database Gabungan ini?"
    ),
    "alasan.gabungan.other_statistic": "server menjawab statistik {jawaban}, bukan {statistik}",
    "alasan.gabungan.other_kriteria": (
        "baris {kode} ({label}) menghitung {kriteria}, bukan {harapan}: bukan statistik yang "
        "diminta"
    ),
    "alasan.gabungan.bdt_rows": "{jumlah} baris kategori, padahal server tidak mengirimnya",
    "alasan.gabungan.no_age_brackets": (
        "tidak ada rentang umur untuk {jumlah} penduduk (server membaca rentang umur desa "
        "pertamanya, config id 1)"
    ),
    "alasan.gabungan.total_over_residents": (
        "TOTAL {jumlah} lebih dari {penduduk} penduduk desa (wilayah/penduduk): bukan angka desa "
        "ini, atau berubah sementara itu"
    ),
    # -- the sweep and the warehouse ------------------------------------------------------------
    "alasan.adapter.crashed": "galat adaptor: {detail}",
    "alasan.adapter.interrupted": "galat adaptor: terhenti",
    "alasan.warehouse.refused": "ditolak gudang data: {detail}",
    "alasan.warehouse.invalid": "gudang data tidak dapat menyimpannya: {detail}",
    # several reasons of one dataset: the renderer joins their texts
    "alasan.beberapa": "{bagian}",
    # -- words inside values --------------------------------------------------------------------
    "alasan.kata.key": "kunci",
    "alasan.kata.row": "baris",
    "alasan.kata.line": "baris",
    "alasan.kata.item": "butir",
    "alasan.kata.page": "halaman",
    "alasan.kata.programme": "program",
    "alasan.kata.sign-in": "masuk",
    "alasan.nilai.total": "jumlah",
    "alasan.nilai.laki": "laki-laki",
    "alasan.nilai.perempuan": "perempuan",
    "alasan.nilai.belum_mengisi": "belum mengisi",
    "alasan.mirip.pendidikan-dalam-kk": (
        "; itu kategori pendidikan dalam KK, jawaban OpenSID untuk statistik yang tidak "
        "dikenalnya (versi lama?)"
    ),
    "alasan.mirip.lain": "; tampaknya kategori {statistik}",
    # -- the reason columns ---------------------------------------------------------------------
    "kolom.alasan_gagal": "Galat terakhir",
    "kolom.alasan_kode": "Kode alasan",
    "kolom.alasan_param": "Nilai alasan",
    "kolom.dataset_gagal": "Dataset gagal",
    "alasan.kolom.asli": "Teks asli galat (operator)",
    "alasan.dan_lain": "{alasan} (dan {n} dataset lain)",
    "kamus.kolom.alasan_kode": (
        "Kode alasan kegagalan terakhir (lihat bagian kode tabel alasan), bila ada."
    ),
    "kamus.kolom.alasan_param": (
        "Nilai-nilai alasan itu sebagai objek JSON (tempat: di mana jawaban salah; "
        "http_status, nilai, batas, …)."
    ),
    "kamus.kolom.dataset_gagal": "Banyak dataset desa yang gagal pada percobaan terakhir.",
    "kamus.alasan": "Alasan kegagalan: {teks}",
    "kamus.bagian_alasan": "Alasan kegagalan",
    "kamus.alasan_pengantar": (
        "Setiap kegagalan pengumpulan disimpan sebagai kode (kolom alasan_kode) dengan nilainya "
        "(alasan_param, objek JSON) di samping teks aslinya; halaman menampilkannya dengan teks "
        "di bawah ini, dengan tempat (di mana jawaban salah) di depannya."
    ),
    "kamus.alasan_daftar": "{n} kode alasan",
}

EN = {
    "alasan.http.timeout": "no answer within {detik} s (timeout)",
    "alasan.http.retries": "gave up after retries: {detail}",
    "alasan.http.connection": "could not connect to the village's system: {detail}",
    "alasan.http.request": "request failed: {detail}",
    "alasan.http.too_large": "answer too large: {besar} bytes (limit {batas})",
    "alasan.http.too_large_stream": "answer too large: over {batas} bytes",
    "alasan.http.slow_drip": "the answer took over {detik} s to arrive; gave up",
    "alasan.http.unauthorized": (
        "HTTP {http_status}: token wrong or expired (check the registry token)"
    ),
    "alasan.http.forbidden": "HTTP {http_status}: access refused",
    "alasan.http.not_found": (
        "HTTP {http_status}: endpoint not found (wrong base_url or adapter?)"
    ),
    "alasan.http.rate_limited": (
        "HTTP {http_status}: too many requests, still rate-limited after backing off"
    ),
    "alasan.http.server_error": "HTTP {http_status}: server error at the village",
    "alasan.http.unexpected": "HTTP {http_status}: unexpected answer",
    "alasan.json.invalid": "invalid JSON: {detail}",
    "alasan.json.not_json": "the answer is not JSON ({detail})",
    "alasan.json.expected_object": "expected a JSON object, got {tipe}",
    "alasan.jsonapi.no_data": "expected a JSON:API object with a data list",
    "alasan.jsonapi.no_attributes": "a data entry has no attributes",
    "alasan.jsonapi.item_no_attributes": "item {nomor} has no attributes",
    "alasan.jsonapi.item_no_id": "item {nomor} has no id",
    "alasan.document.not_object": "invalid document: expected a JSON object",
    "alasan.document.schema": "schema version {nilai} unknown (expected '{harapan}')",
    "alasan.document.kode_invalid": "village code {nilai} in the document is not a region code",
    "alasan.document.kode_wrong": (
        "wrong village code: the document says {kode}, the registry says {kode_registri}"
    ),
    "alasan.document.missing": "missing from the document",
    "alasan.payload.expected_counts": "expected an object with {field}",
    "alasan.payload.expected_list": "expected a list",
    "alasan.payload.not_object": "not an object",
    "alasan.field.missing": "{field} missing",
    "alasan.field.required": "{field}: required",
    "alasan.field.not_year": "{field} {nilai} is not a year",
    "alasan.field.not_text": "expected text, got {tipe}",
    "alasan.field.too_long": "{jumlah} characters, more than {batas}",
    "alasan.item.no_id": "an item has no id",
    "alasan.item.twice": "listed twice",
    "alasan.items.too_many": "{jumlah} items, more than {batas}",
    "alasan.items.too_many_pages": "more than {batas} items over {halaman} pages; stopped",
    "alasan.pages.too_many": "more than {batas} pages; stopped",
    "alasan.count.not_number": "count {nilai} is not a number",
    "alasan.count.not_whole": "count {nilai} is not a whole number",
    "alasan.count.negative": "negative count: {nilai}",
    "alasan.sum.rows_total": (
        "rows ({baris}) + not filled in ({belum}) = {jumlah}, but {kolom} is {total}"
    ),
    "alasan.sum.sexes": "male ({laki}) + female ({perempuan}) is not the total ({jumlah})",
    "alasan.sum.no_recipients": "no JUMLAH (666) row: the number of distinct recipients",
    "alasan.sum.recipients_over_rows": (
        "{penerima} distinct recipients ({kolom}) but the programmes' rows add up to only {baris}"
    ),
    "alasan.summary.missing": "no summary row {baris} ({jenis})",
    "alasan.summary.twice": "summary row {baris} twice",
    "alasan.category.duplicate": "duplicate category code(s): {kode}",
    "alasan.category.no_code": "category code missing",
    "alasan.category.no_id": "a row ({label}) has no id",
    "alasan.category.too_long": "label or id longer than {batas} characters",
    "alasan.category.too_many": "{jumlah} rows, more than {batas} categories",
    "alasan.category.other_statistic": (
        "village {kode_desa} answered with the categories {baris}, which are not those of "
        "{statistik}{mirip}"
    ),
    "alasan.age.no_bounds": (
        "the rows {baris} carry no dari/sampai, so they are not age brackets{mirip}"
    ),
    "alasan.age.no_kriteria": "an age bracket without umur_dari/umur_sampai in kriteria",
    "alasan.age.range": "age bracket {dari}–{sampai} is not within 0–{batas}",
    "alasan.age.overlap": (
        "age brackets {kode} ({dari}–{sampai}) and {kode_2} ({dari_2}–{sampai_2}) overlap; "
        "the village must correct them in OpenSID"
    ),
    "alasan.bdt.rows": "category rows {baris} where OpenSID 2508 sends none{mirip}",
    "alasan.bdt.no_jumlah": "no JUMLAH ({baris}) row: the households in the BDT",
    "alasan.amount.not_number": "amount {nilai} is not a number",
    "alasan.amount.negative": "negative amount: {nilai}",
    "alasan.apbdes.not_sum": "{ukuran} {nilai} is not the sum of its sub-accounts ({jumlah})",
    "alasan.apbdes.account_code": "{nilai} is not an account code",
    "alasan.apbdes.account_twice": "account {akun} listed twice",
    "alasan.progress.over_100": "progress {nilai} is over 100%",
    "alasan.progress.not_percent": "{nilai} is not a percentage",
    "alasan.bantuan.sasaran": "sasaran {nilai} is not 1–4",
    "alasan.bantuan.no_program": "a recipient row has no programme id",
    "alasan.bantuan.no_peserta": "a recipient row has no peserta",
    "alasan.village.deadline": "the village took longer than {detik} s in all",
    "alasan.skipped.no_answer": "skipped: the village gave no answer in time on {bagian}",
    "alasan.skipped.deadline": "skipped: the village took longer than {detik} s in all",
    "alasan.skipped.rate_limited": (
        "skipped: the source kept refusing requests (HTTP 429) on {bagian}"
    ),
    "alasan.gabungan.token_invalid": (
        "the registry's Database Gabungan token cannot be used: it must be the server's "
        "Sanctum token (id|secret) or email:password"
    ),
    "alasan.gabungan.token_missing": (
        "needs the registry token: the server's Sanctum token, or email:password to sign in"
    ),
    "alasan.gabungan.signin_wrong": (
        "sign-in refused (HTTP 401): wrong email or password in the registry token"
    ),
    "alasan.gabungan.signin_locked": (
        "sign-in refused (HTTP 403): the server locks sign-in for 10 minutes after 5 failed "
        "attempts from this address; check the registry token, then wait"
    ),
    "alasan.gabungan.signin_refused": (
        "sign-in refused (HTTP {http_status}): the server did not accept the email and password"
    ),
    "alasan.gabungan.signin_waiting": (
        "sign-in refused earlier (HTTP {http_status}); not tried again yet"
    ),
    "alasan.gabungan.no_access_token": "no usable access_token in the answer",
    "alasan.gabungan.filters_refused": "HTTP 400: the server refused the query's filters",
    "alasan.gabungan.forbidden": (
        "HTTP 403: the token may not read this (Sanctum ability missing)"
    ),
    "alasan.gabungan.server_error": (
        "HTTP 500: server error (it also answers 500 for a statistic it lacks)"
    ),
    "alasan.gabungan.token_refused": (
        "HTTP 401: the server refused the token (deleted or regenerated?)"
    ),
    "alasan.gabungan.token_refused_again": (
        "HTTP 401: the server refused the token even after signing in again"
    ),
    "alasan.gabungan.desa_twice": "more than one village answers to kode_desa {kode}",
    "alasan.gabungan.desa_other": "asked for kode_desa {kode}, the server answered {jawaban}",
    "alasan.gabungan.no_config_id": "no config id for kode_desa {kode}",
    "alasan.gabungan.desa_unknown": (
        "the server knows neither kode_desa {kode} nor {kode_2}; is the village on this "
        "Database Gabungan?"
    ),
    "alasan.gabungan.other_statistic": "the server answered statistic {jawaban}, not {statistik}",
    "alasan.gabungan.other_kriteria": (
        "row {kode} ({label}) counts {kriteria}, not {harapan}: not the statistic asked for"
    ),
    "alasan.gabungan.bdt_rows": "{jumlah} category rows where the server sends none",
    "alasan.gabungan.no_age_brackets": (
        "no age brackets for {jumlah} residents (the server reads the brackets of its first "
        "village, config id 1)"
    ),
    "alasan.gabungan.total_over_residents": (
        "TOTAL {jumlah} is more than the village's {penduduk} residents (wilayah/penduduk): "
        "not this village's numbers, or changed meanwhile"
    ),
    "alasan.adapter.crashed": "adapter error: {detail}",
    "alasan.adapter.interrupted": "adapter error: interrupted",
    "alasan.warehouse.refused": "refused by the warehouse: {detail}",
    "alasan.warehouse.invalid": "the warehouse cannot store it: {detail}",
    "alasan.beberapa": "{bagian}",
    "alasan.kata.key": "key",
    "alasan.kata.row": "row",
    "alasan.kata.line": "line",
    "alasan.kata.item": "item",
    "alasan.kata.page": "page",
    "alasan.kata.programme": "programme",
    "alasan.kata.sign-in": "sign-in",
    "alasan.nilai.total": "total",
    "alasan.nilai.laki": "male",
    "alasan.nilai.perempuan": "female",
    "alasan.nilai.belum_mengisi": "not filled in",
    "alasan.mirip.pendidikan-dalam-kk": (
        "; they are pendidikan dalam KK, OpenSID's answer to a statistic it does not know "
        "(an older release?)"
    ),
    "alasan.mirip.lain": "; they look like {statistik}",
    "kolom.alasan_gagal": "Last error",
    "kolom.alasan_kode": "Reason code",
    "kolom.alasan_param": "Reason values",
    "kolom.dataset_gagal": "Datasets failed",
    "alasan.kolom.asli": "Original error text (operators)",
    "alasan.dan_lain": "{alasan} (and {n} more datasets)",
    "kamus.kolom.alasan_kode": (
        "Code of the last failure's reason (see the codes of table alasan), if it failed."
    ),
    "kamus.kolom.alasan_param": (
        "That reason's values as a JSON object (tempat: where the answer was wrong; "
        "http_status, nilai, batas, …)."
    ),
    "kamus.kolom.dataset_gagal": "How many of the village's datasets failed in the last attempt.",
    "kamus.alasan": "Failure reason: {teks}",
    "kamus.bagian_alasan": "Failure reasons",
    "kamus.alasan_pengantar": (
        "Every failed collection is stored as a code (column alasan_kode) with its values "
        "(alasan_param, a JSON object) beside its original text; pages show it with the texts "
        "below, with tempat (where the answer was wrong) before it."
    ),
    "kamus.alasan_daftar": "{n} reason codes",
}
