# ruff: noqa: E501 (legal texts kept as printed)
"""The article texts of the two demo templates.

Aix-Marseille-Provence: the text of the SCS 2023 seed, word for word, with its figures replaced
by placeholders. Saint-Étienne Métropole: the same legal skeleton, adapted (its name, its
president, the Tribunal administratif de Lyon, its own preamble and publicity clause).
"""

# (level, number, title, Markdown body): level 0 = preamble, 1 = article, 2 = sub-article.
AMP_SECTIONS = [
    (
        0,
        "",
        "PRÉAMBULE",
        "Le 7 décembre 2022, la Métropole Aix-Marseille-Provence a remporté le prix iCapital décerné par "
        "la Commission européenne. Cette labellisation valable pour l'année 2023 permet d'asseoir la "
        "position la Métropole comme territoire de référence en matière d'innovation pour co-construire "
        "et expérimenter les services de demain.\n"
        "\n"
        "Dans sa candidature nommée « Innovative diversity », la Métropole a rapproché tous les acteurs "
        "de l'innovation du territoire métropolitain et défendu la diversité et les contrastes qui la "
        "caractérisent, que ce soit sur le plan géographique, social ou économique, comme creuset de la "
        "dynamique d'innovation à l'œuvre sur son territoire.\n"
        "\n"
        "Cette mise en lumière pour l'année 2023 va donc permettre à la Métropole d'encourager et de "
        "promouvoir des projets et des actions visant à accélérer les transitions au service du "
        "bien-être des citoyens.\n"
        "\n"
        "La Métropole entend plus particulièrement contribuer à relever les défis de la transition "
        "économique, sociale et environnementale qui ont fait l'objet de sa candidature (par exemple "
        "l'innovation au profit du changement climatique (cleantech), de la santé (biotechs, medtechs, "
        "e-santé), de la connaissance et des savoirs - jeunesse et entrepreneuriat).\n"
        "\n"
        "Ce faisant, la Métropole assumera pleinement sa qualité de Capitale européenne de l'innovation "
        "2023, tout en participant au rayonnement de son territoire.\n"
        "\n"
        "C'est dans le cadre de cette politique de subventions mise en place par la Métropole en faveur "
        "des acteurs associatifs qui œuvrent dans le domaine de l'innovation et du développement "
        "économique que s'inscrit la présente convention.\n"
        "\n"
        "Ceci exposé, il a été convenu ce qui suit :",
    ),
    (
        1,
        "1",
        "OBJET DE LA CONVENTION ET OBJECTIFS GENERAUX DE L'ACTION",
        "Par la présente convention, l'association s'engage, à son initiative et sous sa responsabilité, "
        "à réaliser les objectifs conformes à son objet social, à savoir :\n"
        "\n"
        "{{ objectives }}\n"
        "\n"
        "{{ action_categories }}\n"
        "\n"
        "L'association s'engage à mettre en œuvre tous les moyens nécessaires à la bonne exécution de ce "
        "programme.\n"
        "\n"
        "Pour sa part, la Métropole s'engage à soutenir financièrement la réalisation des objectifs "
        "fixés pour l'année {{ year }}.",
    ),
    (
        1,
        "2",
        "DURÉE DE LA CONVENTION",
        "La présente convention est conclue, pour l'exercice budgétaire {{ year }}, à compter de sa "
        "notification et trouvera son terme au plus tard au versement du solde de la subvention.",
    ),
    (
        1,
        "3",
        "INDÉPENDANCE DE L'ASSOCIATION",
        "Pour mettre en œuvre ces actions notamment avec les moyens qui lui sont alloués par la "
        "Métropole, l'association jouit d'une indépendance de décision dans la définition de ses actions "
        "et dans la conduite de ses tâches de gestion et d'administration.\n"
        "\n"
        "Cette indépendance s'exerce en conformité avec les statuts de l'association, à partir des "
        "instances créées (Assemblée Générale, Conseil d'Administration, Bureau...).\n"
        "\n"
        "Cependant, la Métropole peut requérir, en cours d'année toutes les informations et tous "
        "documents utiles au contrôle de l'exécution des engagements pris par l'association et "
        "justifiant l'octroi de la subvention.\n"
        "\n"
        "De plus, les actions visées ci-dessus sont réalisées sous la responsabilité de l'association et "
        "ne peuvent être confiées, pour tout ou partie, à des tiers sans l'accord de la Métropole.\n"
        "\n"
        "L'association s'engage en outre à :\n"
        "\n"
        "- respecter toutes les obligations légales, sociales et fiscales liées à l'exercice de ses "
        "activités,\n"
        "\n"
        "- fournir à la Métropole les attestations d'assurance visant à garantir sa responsabilité "
        "civile, et en particulier, pour la ou les activités, objet(s) de la présente convention.\n"
        "\n"
        "De manière générale, l'association devra se trouver en situation régulière au regard des "
        "organismes sociaux et fiscaux, ainsi que des dispositions législatives et réglementaires "
        "concernant le personnel, notamment en matière salariale.",
    ),
    (1, "4", "BUDGET PREVISIONNEL DE L'ASSOCIATION ET PARTICIPATION DE LA MÉTROPOLE", ""),
    (
        2,
        "4.1",
        "Budget prévisionnel de l'action",
        "L'annexe I à la présente convention précise :\n"
        "\n"
        "- Le budget prévisionnel global de l'objectif ou action, objet de l'article 1er, ainsi que les "
        "moyens affectés à sa réalisation en détaillant les autres financements attendus et en "
        "distinguant notamment les apports des collectivités territoriales, les ressources propres, "
        "etc.;\n"
        "- Les contributions non financières dont l'association dispose pour la réalisation de "
        "l'objectif mentionné à l'article 1<sup>er</sup> (mise à disposition de locaux, de personnel, de "
        "matériel, etc.).\n"
        "\n"
        "Conformément à cette annexe, le coût total prévisionnel de l'action, objet de la présente "
        "convention, représente un montant de dépenses éligibles de {{ eligible_cost }} ({{ "
        "eligible_cost_in_words }}).",
    ),
    (
        2,
        "4.2",
        "Participation de la Métropole",
        "La participation de la Métropole est d'un montant de {{ amount }} ({{ amount_in_words }}), et "
        "représente {{ share_excluding_contributions }} du budget prévisionnel global de l'association "
        "(*hors contributions volontaires*), soit {{ share_including_contributions }} de ce budget "
        "*contributions volontaires comprises*.\n"
        "\n"
        "Conformément au Règlement Budgétaire et Financier, si le montant des dépenses varie à la "
        "hausse, la participation de la Métropole n'est pas réévaluée. Si le montant des dépenses varie "
        "à la baisse, la participation de la Métropole est recalculée au prorata des dépenses réelles "
        "justifiées sur le montant des dépenses prévisionnelles.\n"
        "\n"
        "En cas de non-exécution, de retard significatif ou de modification substantielle des conditions "
        "d'exécution de la convention sans l'accord écrit de la Métropole, celle-ci peut suspendre ou "
        "diminuer le montant des avances et autres versements, remettre en cause le montant de la "
        "subvention ou exiger le reversement de tout ou partie des sommes déjà versés au titre de la "
        "présente convention.\n"
        "\n"
        "Ce soutien financier sera pris en charge sur le budget principal métropolitain.\n"
        "\n"
        "Cette subvention sera créditée au compte de l'association selon les procédures comptables en "
        "vigueur sous réserve du respect par l'association de ses obligations légales et contractuelles",
    ),
    (
        2,
        "4.3",
        "Modalités de versement de la subvention",
        "Conformément au Règlement Budgétaire et Financier approuvée par {{ budget_rules_reference }}, "
        "les modalités de versement se feront comme suit :\n"
        "\n"
        "- un acompte maximum de {{ advance_percentage }} de la subvention votée, sur demande du "
        "bénéficiaire, après la signature de la convention par les deux parties ;\n"
        "- le solde sur demande du bénéficiaire, après la remise des pièces prévues à l'article 6.2 de "
        "la présente convention.\n"
        "\n"
        "La demande de versement de subvention est remplie et signée par le bénéficiaire de la "
        "subvention qui certifie la réalité de la dépense et son utilisation conforme à l'objet de "
        "l'article 1.",
    ),
    (1, "5", "CONTRÔLE, SUIVI, ÉVALUATION", ""),
    (
        2,
        "5.1",
        "Contrôle",
        "Pendant et au terme de la présente convention, un contrôle sur place peut être réalisé par la "
        "Métropole.\n"
        "\n"
        "L'association s'engage à faciliter l'accès à toutes pièces justificatives des dépenses et tous "
        "autres documents dont la production serait jugée utile dans le cadre de ce contrôle "
        "conformément à l'article L.1611-4 du Code général des collectivités territoriales (CGCT). Le "
        "refus de leur communication entraîne le remboursement de la subvention.",
    ),
    (
        2,
        "5.2",
        "Suivi",
        "L'association s'engage à informer régulièrement la Métropole du bon déroulement de son "
        "fonctionnement défini à l'article 1 de la convention selon des modalités établies d'un commun "
        "accord entre les deux parties.\n"
        "\n"
        "La Métropole pourra demander à l'association de participer à des réunions de suivi, à chaque "
        "fois qu'elle le jugera utile.",
    ),
    (
        2,
        "5.3",
        "Évaluation",
        "L'évaluation des conditions de réalisation des objectifs poursuivis par l'association auxquels "
        "la Métropole a apporté son concours, sur un plan quantitatif comme qualitatif, est réalisée par "
        "la Métropole.\n"
        "\n"
        "Pour ce faire, une réunion comprenant les deux parties pourra être organisée par la Métropole à "
        "tout moment jugé utile.\n"
        "\n"
        "Le non-respect par l'association de ses obligations conventionnelles se traduira par des "
        "demandes d'explication par les services opérationnels de la Métropole, et le cas échéant, par "
        "le remboursement total ou partiel de la subvention.",
    ),
    (
        2,
        "5.4",
        "Renouvellement",
        "La conclusion éventuelle d'une nouvelle convention est subordonnée à la production des "
        "justificatifs mentionnés à l'article 6.2 et aux contrôles prévus à l'article 5.1.",
    ),
    (1, "6", "OBLIGATIONS COMPTABLES – JUSTIFICATIFS A FOURNIR", ""),
    (
        2,
        "6.1",
        "Obligations comptables",
        "Préalablement à ce qui suit, la présente convention rappelle que :\n"
        "\n"
        "- Les associations doivent adopter un cadre budgétaire et comptable conforme au règlement n° "
        "2018-06 du 5 décembre 2018 relatif aux modalités d'établissement des comptes annuels des "
        "personnes morales de droit privé à but non lucratif, homologué par l'arrêté du 26 décembre 2018 "
        ";\n"
        "- Conformément à l'article L. 612-4 du Code du commerce, pour tout montant supérieur à 153 000 "
        "euros de subventions publiques :\n"
        "  - l'association doit établir chaque année des comptes annuels comprenant : le bilan, le "
        "compte de résultat et l'annexe ;\n"
        "  - l'association est soumise à l'obligation légale de faire procéder au contrôle par un "
        "commissaire aux comptes. Dans ce cas, l'association s'engage à transmettre à la Métropole tout "
        "rapport produit par celui-ci dans les délais utiles ;\n"
        "- Si la subvention annuelle est supérieure à 75 000 euros ou représente plus de 50% du budget "
        "total de l'association, le Président s'engage à certifier la conformité des comptes annuels "
        "conformément à l'article L. 2313-1-1 et R.2313-5 du CGCT.\n"
        "\n"
        "La signature de l'expert-comptable ou du commissaire aux comptes est requise, le cas échéant.\n"
        "\n"
        "- En cas de modification dans le domaine comptable, l'association s'engage à appliquer les "
        "nouvelles directives.",
    ),
    (
        2,
        "6.2",
        "Justificatifs à fournir par l'association",
        "L'association dont les comptes sont établis pour un exercice d'une durée de douze mois "
        "consécutifs (courant de préférence du 1<sup>er</sup> janvier au 31 décembre), **s'engage dans "
        "les six mois suivant la clôture de l'exercice pour lequel la subvention a été attribuée, à "
        "fournir les documents suivants :**\n"
        "\n"
        "- **Les comptes annuels et le rapport du commissaire aux comptes (la version détaillée);**\n"
        "- **Le rapport d'activité de l'année écoulée ;**\n"
        "- **Le procès-verbal de l'Assemblée Générale approuvant tous les documents précités.**",
    ),
    (
        2,
        "6.3",
        "Autres engagements",
        "Par ailleurs, l'association s'engage à communiquer à la Métropole toute modification intervenue "
        "dans la composition du Conseil d'administration et du Bureau de l'association et des statuts.",
    ),
    (
        1,
        "7",
        "PUBLICITE - COMMUNICATION",
        "L'association s'engage à apposer, sur tous les supports de communication relatifs à l'opération "
        "soutenue par la Métropole :\n"
        "\n"
        "- d'une part, le logo de la Métropole en respectant la charte graphique métropolitaine et à y "
        "faire apparaître la participation financière de celle-ci ;\n"
        "- d'autre part, le logo de la labellisation iCapital, en respectant la charte graphique qui lui "
        "aura été communiquée et à valoriser le soutien de la Métropole.\n"
        "\n"
        "La Métropole pourra demander à l'association des justificatifs attestant de l'apposition "
        "desdits logos (photographie par exemple).\n"
        "\n"
        "L'association s'engage également à communiquer sur le partenariat avec la Métropole dans toute "
        "conférence de presse, interview, etc. et faire participer les représentants de la Métropole aux "
        "actions publiques concernées.\n"
        "\n"
        "En cas de non-respect de ces obligations, la Métropole se réserve le droit de demander le "
        "reversement de la subvention concernée.",
    ),
    (
        1,
        "8",
        "REVERSEMENT, RÉSILIATION ET LITIGES",
        "La présente convention pourra être résiliée de plein droit par l'une ou l'autre des parties, "
        "par lettre recommandée avec accusé de réception, en cas de manquement de l'une ou l'autre des "
        "parties à ses obligations contractuelles.\n"
        "\n"
        "Dans ce cas toutefois, la résiliation ne pourra intervenir à l'initiative de l'une des parties "
        "que passé un délai d'un mois suivant une mise en demeure adressée à l'autre partie par lettre "
        "recommandée avec accusé de réception et restée sans effet.\n"
        "\n"
        "La présente convention pourra être résiliée de plein droit par la Métropole, par lettre "
        "recommandée avec accusé de réception, en cas de dissolution ou de liquidation de l'association "
        "ou encore si cette dernière ne justifie plus exercer une activité entrant dans le champ de la "
        "compétence ayant motivé le soutien de la Métropole.\n"
        "\n"
        "En cas de manquement grave de l'association, la Métropole sera fondée d'exiger la restitution "
        "des sommes perçues, soit en totalité, soit au prorata temporis.",
    ),
    (
        1,
        "9",
        "AVENANT",
        "Toute modification des conditions ou des modalités d'exécution de la présente convention, "
        "définie d'un commun accord par les deux parties fera l'objet d'un avenant.\n"
        "\n"
        "Celui-ci précisera les éléments modifiés de la convention sans que ceux-ci ne puissent conduire "
        "à remettre en cause les objectifs généraux définis à l'article 1er.",
    ),
    (
        1,
        "10",
        "INTANGIBILITÉ DES CLAUSES",
        "Une tolérance relative à l'application des clauses et conditions de la présente convention ne "
        "pourra jamais, quelle qu'en ait pu être la durée ou la fréquence, être considérée comme une "
        "modification ou suppression des clauses et conditions de la présente convention.",
    ),
    (
        1,
        "11",
        "INTUITU PERSONAE",
        "La présente convention étant conclue « *intuitu personae* », l'association ne pourra en céder "
        "les droits en résultant à qui que ce soit.",
    ),
    (
        1,
        "12",
        "RECOURS",
        "Tout litige résultant de l'exécution de la présente convention est du ressort du {{ court }}. "
        "Le requérant peut saisir le {{ court_name }} de manière dématérialisée, par le biais de "
        "l'application informatique « Télérecours citoyen » accessible depuis le site internet "
        "[www.telerecours.fr](http://www.telerecours.fr). Cependant les parties s'engagent avant tout "
        "recours contentieux à se rencontrer afin de trouver une solution amiable.",
    ),
    (1, "13", "SIGNATURES", ""),
]

AMP_TEMPLATE = {
    "name": "Convention annuelle d'objectifs — subvention de fonctionnement global",
    "title": "CONVENTION ANNUELLE D'OBJECTIFS\nSUBVENTION DE FONCTIONNEMENT GLOBAL",
    "authority_intro": "L'E.P.C.I.",
    "authority_label": "la Métropole",
    "signatory_clause": (
        "Sa Présidente en exercice régulièrement habilitée à signer la présente convention par "
        "délibération du Bureau de la Métropole en date du {{ deliberation_date }}"
    ),
    "signature_place": "Marseille",
}

SEM_TEMPLATE = {
    "name": "Convention annuelle d'objectifs — subvention de fonctionnement global",
    "title": "CONVENTION ANNUELLE D'OBJECTIFS\nSUBVENTION DE FONCTIONNEMENT GLOBAL",
    "authority_intro": "La Métropole",
    "authority_label": "Saint-Étienne Métropole",
    "signatory_clause": (
        "Son Président en exercice, ou son représentant dûment habilité, autorisé à signer la "
        "présente convention par délibération du Bureau métropolitain n° "
        "{{ deliberation_number }} en date du {{ deliberation_date }}"
    ),
    "signature_place": "Saint-Étienne",
}

SEM_PREAMBLE = """Dans le cadre du soutien à la filière Industrie, Saint-Étienne Métropole s'appuie sur les actions conduites par les pôles de compétitivité présents sur son territoire, acteurs moteurs de l'innovation et de la transformation numérique des entreprises.

La phase V des pôles de compétitivité, qui porte sur la période 2023 à 2026, vise à favoriser les connexions et les collaborations entre les acteurs des écosystèmes économiques et industriels régionaux, à soutenir les PME en élargissant leurs marchés et leurs réseaux de contacts, et à accompagner les entreprises innovantes dans leur transition vers une économie plus écologique et numérique.

Saint-Étienne Métropole entend ainsi soutenir le développement et la structuration des filières d'excellence de son territoire, notamment l'optique-photonique, la santé, l'industrie du futur et les industries culturelles et créatives.

C'est dans le cadre de cette politique de subventions mise en place par Saint-Étienne Métropole en faveur des acteurs associatifs qui œuvrent dans le domaine de l'innovation et du développement économique que s'inscrit la présente convention.

Ceci exposé, il a été convenu ce qui suit :"""

SEM_PUBLICITY = """L'association s'engage à apposer, sur tous les supports de communication relatifs à l'opération soutenue par Saint-Étienne Métropole, le logo de Saint-Étienne Métropole en respectant sa charte graphique et à y faire apparaître la participation financière de celle-ci.

Saint-Étienne Métropole pourra demander à l'association des justificatifs attestant de l'apposition de son logo (photographie par exemple).

L'association s'engage également à communiquer sur le partenariat avec Saint-Étienne Métropole dans toute conférence de presse, interview, etc. et faire participer les représentants de Saint-Étienne Métropole aux actions publiques concernées.

En cas de non-respect de ces obligations, Saint-Étienne Métropole se réserve le droit de demander le reversement de la subvention concernée."""

SEM_PAYMENT_RULES = (
    "Conformément au Règlement Budgétaire et Financier approuvée par {{ budget_rules_reference }}"
)


def _for_saint_etienne(text):
    text = text.replace("LA MÉTROPOLE", "SAINT-ÉTIENNE MÉTROPOLE")
    text = text.replace("la Métropole", "Saint-Étienne Métropole")
    text = text.replace("La Métropole", "Saint-Étienne Métropole")
    text = text.replace("du Bureau de Saint-Étienne Métropole", "du Bureau métropolitain")
    return text.replace(
        SEM_PAYMENT_RULES, "Conformément au Règlement Budgétaire et Financier de la Métropole"
    )


def sem_sections():
    """The same legal skeleton for Saint-Étienne Métropole."""
    sections = []
    for level, number, title, body in AMP_SECTIONS:
        if level == 0:
            body = SEM_PREAMBLE
        elif number == "7":
            body = SEM_PUBLICITY
        sections.append((level, number, _for_saint_etienne(title), _for_saint_etienne(body)))
    return sections
