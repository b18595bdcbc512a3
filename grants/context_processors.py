from django.urls import reverse


def navigation(request):
    """The navigation links of the signed-in user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = [("Accueil", reverse("home"))]
    if user.is_manager:
        label = "Mon association" if user.managed_associations.count() <= 1 else "Mes associations"
        links.append((label, reverse("association_list")))
    else:
        links.append(("Associations", reverse("association_list")))
    if user.role == "admin":
        links.append(("Administration", reverse("admin:index")))
    current = request.path
    return {
        "nav_links": [
            {
                "label": label,
                "url": url,
                "current": url == current or (url != "/" and current.startswith(url)),
            }
            for label, url in links
        ]
    }
