"""Same names, arguments and attributes as sagemaker_inference/errors.py in aws/sagemaker-inference-toolkit."""


class BaseInferenceToolkitError(Exception):
    """An error during inference that carries the HTTP answer: status_code, message, phrase."""

    def __init__(self, status_code, message, phrase):
        self.status_code = status_code
        self.message = message
        self.phrase = phrase
        super().__init__(status_code, message, phrase)


class GenericInferenceToolkitError(BaseInferenceToolkitError):
    """What the toolkit wraps any other exception in: status 500 unless said otherwise."""

    def __init__(self, status_code, message=None, phrase=None):
        message = message or "Invalid Request"
        phrase = phrase or message
        super().__init__(status_code, message, phrase)
