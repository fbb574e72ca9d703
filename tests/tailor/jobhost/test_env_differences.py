"""A job host serves only callers with the environment it was started with: which variables
count as a difference (names only), and which a new process would get from the preloaded
imports."""
from tailor.jobhost.server import env_differences, imported_env

HOST = {"PATH": "/usr/bin", "TAILOR_HOME": "/p", "TAILOR__SPARK__MASTER": "local[2]"}


def test_the_same_environment_differs_in_nothing():
    assert env_differences(HOST, dict(HOST)) == []


def test_a_variable_added_removed_or_changed_is_named_without_its_value():
    caller = {**HOST, "TAILOR__SPARK__MASTER": "local[4]", "NEW": "secret-value"}
    del caller["TAILOR_HOME"]
    differ = env_differences(HOST, caller)
    assert differ == ["NEW", "TAILOR_HOME", "TAILOR__SPARK__MASTER"]
    assert "secret-value" not in " ".join(differ)


def test_shell_bookkeeping_and_airflows_per_task_variables_do_not_count():
    caller = {**HOST, "PWD": "/elsewhere", "OLDPWD": "/p", "SHLVL": "3", "_": "/usr/bin/env",
              "AIRFLOW_CTX_TASK_ID": "score", "AIRFLOW_CTX_TRY_NUMBER": "2",
              "__AIRFLOW_SUPERVISOR_FD": "7", "_AIRFLOW_PARSING_CONTEXT_TASK_ID": "score"}
    host = {**HOST, "AIRFLOW_CTX_TASK_ID": "spark_start", "__AIRFLOW_SUPERVISOR_FD": "5",
            "_AIRFLOW_PARSING_CONTEXT_TASK_ID": "spark_start"}
    assert env_differences(host, caller) == []


def test_airflow_settings_that_are_not_per_task_still_count():
    assert env_differences(HOST, {**HOST, "AIRFLOW_HOME": "/other"}) == ["AIRFLOW_HOME"]


def test_what_the_imports_set_is_passed_on_and_nothing_else():
    before = {"PATH": "/usr/bin", "KMP_INIT_AT_FORK": "TRUE"}
    after = {"PATH": "/usr/bin", "KMP_INIT_AT_FORK": "FALSE", "_RJEM_MALLOC_CONF": "x"}
    assert imported_env(before, after) == {"KMP_INIT_AT_FORK": "FALSE", "_RJEM_MALLOC_CONF": "x"}
