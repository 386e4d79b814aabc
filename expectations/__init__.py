"""Great Expectations suites as code, one module per gate (landing, scored, marts).

Airflow does not put this folder on sys.path: `riskradar.quality.load_suite_module` loads each
module by file path from `Settings.expectations_dir`. See README.md for the module contract.
"""
