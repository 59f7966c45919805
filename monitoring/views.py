from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def municipality(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse("")
