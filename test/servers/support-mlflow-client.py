"""What a tenant's user does through MLflow's tracking server, with MLflow's own client.

  python support-mlflow-client.py log <artifact text>
      Creates an experiment, logs a run with a metric and an artifact (through the server's
      artifact proxy, mlflow-artifacts:), reads the run back. Prints JSON.
  python support-mlflow-client.py read <run id>
      Downloads the run's artifact notes.txt and prints it (JSON).
  python support-mlflow-client.py delete <run id>
      Marks a run deleted, as a user does in the UI.

The tracking URI comes from MLFLOW_TRACKING_URI, as for any client.
"""
import json
import os
import sys
import tempfile
import uuid

from mlflow.tracking import MlflowClient


def log(text):
    client = MlflowClient()
    experiment_id = client.create_experiment("tier2-%s" % uuid.uuid4().hex[:8])
    run = client.create_run(experiment_id)
    run_id = run.info.run_id
    client.log_metric(run_id, "accuracy", 0.93)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "notes.txt")
        with open(path, "w") as f:
            f.write(text)
        client.log_artifact(run_id, path)
    client.set_terminated(run_id)
    fetched = client.get_run(run_id)
    print(json.dumps({
        "experiment_id": experiment_id,
        "run_id": run_id,
        "artifact_uri": fetched.info.artifact_uri,
        "metrics": fetched.data.metrics,
        "artifacts": [a.path for a in client.list_artifacts(run_id)],
    }))


def read(run_id):
    with tempfile.TemporaryDirectory() as d:
        local = MlflowClient().download_artifacts(run_id, "notes.txt", d)
        with open(local) as f:
            print(json.dumps({"read_back": f.read()}))


if __name__ == "__main__":
    if sys.argv[1] == "log":
        log(sys.argv[2])
    elif sys.argv[1] == "read":
        read(sys.argv[2])
    elif sys.argv[1] == "delete":
        MlflowClient().delete_run(sys.argv[2])
        print(json.dumps({"deleted": sys.argv[2]}))
    else:
        sys.exit("usage: support-mlflow-client.py log <text> | read <run id> | delete <run id>")
