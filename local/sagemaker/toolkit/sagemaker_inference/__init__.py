"""The part of aws/sagemaker-inference-toolkit that user handlers import, for the local container.

Only `sagemaker_inference.errors` is provided: inference.py imports its
BaseInferenceToolkitError so that errors carry their HTTP status, exactly as inside the
SageMaker PyTorch serving container. Everything else of the toolkit is played by
local/sagemaker/hosting.py.
"""
